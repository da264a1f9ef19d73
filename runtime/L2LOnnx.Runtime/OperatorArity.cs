using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime;

/// <summary>
/// How many inputs and outputs the common ONNX operators take, so that a node that lost or gained one
/// (a flipped byte turns an input into a name) is refused by the precheck, as ONNX Runtime's graph check
/// would refuse it. Operators not listed are left to ONNX Runtime, whose refusal at load is reported as
/// a <see cref="ContractViolationException"/> too.
/// </summary>
internal static class OperatorArity
{
    private const int Many = int.MaxValue;

    private static readonly Dictionary<string, (int MinIn, int MaxIn, int MinOut, int MaxOut)> Table = Build();

    public static void Check(OnnxGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            if (!Table.TryGetValue(node.OpType, out var arity)) continue;
            // Trailing empty names are omitted optional inputs or outputs.
            var inputs = Count(node.Inputs);
            var outputs = Count(node.Outputs);
            if (inputs < arity.MinIn || inputs > arity.MaxIn)
                throw new ContractViolationException($"node {node} has {inputs} input(s); {node.OpType} takes {Range(arity.MinIn, arity.MaxIn)}");
            if (outputs < arity.MinOut || outputs > arity.MaxOut)
                throw new ContractViolationException($"node {node} has {outputs} output(s); {node.OpType} produces {Range(arity.MinOut, arity.MaxOut)}");
        }
    }

    private static int Count(IReadOnlyList<string> names)
    {
        var count = names.Count;
        while (count > 0 && names[count - 1].Length == 0) count--;
        return count;
    }

    private static string Range(int min, int max) => min == max ? $"{min}" : max == Many ? $"{min} or more" : $"{min} to {max}";

    private static Dictionary<string, (int, int, int, int)> Build()
    {
        var table = new Dictionary<string, (int, int, int, int)>(StringComparer.Ordinal);
        foreach (var op in new[]
        {
            "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Sigmoid", "Tanh", "Relu", "Sign", "Identity", "Floor",
            "Ceil", "Erf", "Softsign", "Softplus", "Not", "IsNaN", "Round", "Sin", "Cos", "Cast", "Transpose",
            "Flatten", "Shape", "Size", "Softmax", "LogSoftmax", "HardSigmoid", "LeakyRelu", "Elu", "Selu",
            "ConstantOfShape", "EyeLike",
        })
            table[op] = (1, 1, 1, 1);
        foreach (var op in new[]
        {
            "Add", "Sub", "Mul", "Div", "Pow", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Equal", "And",
            "Or", "Xor", "MatMul", "Expand", "Tile", "PRelu", "Mod", "Reshape", "Gather",
        })
            table[op] = (2, 2, 1, 1);
        foreach (var op in new[] { "Max", "Min", "Sum", "Mean", "Concat" })
            table[op] = (1, Many, 1, 1);
        foreach (var op in new[] { "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "Unsqueeze", "Squeeze" })
            table[op] = (1, 2, 1, 1);
        table["Where"] = (3, 3, 1, 1);
        table["Range"] = (3, 3, 1, 1);
        table["Gemm"] = (2, 3, 1, 1);
        table["Clip"] = (1, 3, 1, 1);
        table["Slice"] = (1, 5, 1, 1);
        table["Split"] = (1, 2, 1, Many);
        table["Dropout"] = (1, 3, 1, 2);
        table["Constant"] = (0, 0, 1, 1);
        table["LSTM"] = (3, 8, 0, 3);
        table["GRU"] = (3, 6, 0, 2);
        table["RNN"] = (3, 6, 0, 2);
        return table;
    }
}
