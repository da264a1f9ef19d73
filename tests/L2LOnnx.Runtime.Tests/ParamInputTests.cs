using Google.Protobuf;
using L2LOnnx.Runtime;
using Onnx;

namespace L2LOnnx.Runtime.Tests;

/// <summary>
/// A hand-built contract-v1 model that reads <c>param</c>: update = -0.5 param - 0.1 grad, and a state
/// <c>state_count</c> [N, 1] that counts steps. It is not an LSTM: the fused engine runs it as a
/// compiled program.
/// </summary>
public sealed class ParamInputTests
{
    [Theory]
    [InlineData(OptimizerEngine.Fused)]
    [InlineData(OptimizerEngine.OnnxRuntime)]
    public void TheParamInputIsFedOnEveryPath(OptimizerEngine engine)
    {
        using var optimizer = LearnedOptimizer.Load(Model(), new LearnedOptimizerOptions { IntraOpThreads = 1, Engine = engine });
        Assert.True(optimizer.Contract.HasParamInput);
        Assert.Equal(engine, optimizer.Engine);

        using var state = optimizer.CreateState(3);
        float[] parameters = [2f, -4f, 0f];
        optimizer.Step(parameters, [1f, 0f, -10f], state);
        Assert.Equal([1f - 0.1f, -2f, 1f], parameters);

        var update = new float[3];
        optimizer.ComputeUpdate([0f, 0f, 0f], state, update, parameters);
        Assert.Equal([-0.45f, 1f, -0.5f], update);
        Assert.Contains("pass all 3 of them (got 0)",
            Assert.Throws<ArgumentException>(() => optimizer.ComputeUpdate([0f, 0f, 0f], state, update)).Message);
        Assert.Equal([2f, 2f, 2f], state.Read("state_count"));

        using var group = optimizer.CreateState(("a", 2), ("b", 1));
        float[][] tensors = [[2f, -4f], [0f]];
        optimizer.Step(tensors, [[1f, 0f], [-10f]], group);
        Assert.Equal([1f - 0.1f, -2f], tensors[0]);
        Assert.Equal([1f], tensors[1]);
    }

    internal static byte[] Model()
    {
        var graph = new GraphProto { Name = "param_decay" };
        graph.Input.Add(Value("grad"));
        graph.Input.Add(Value("param"));
        graph.Input.Add(Value("state_count", 1));
        graph.Output.Add(Value("update"));
        graph.Output.Add(Value("state_count_out", 1));
        graph.Initializer.Add(Scalar("minus_half", -0.5f));
        graph.Initializer.Add(Scalar("minus_tenth", -0.1f));
        graph.Initializer.Add(Scalar("one", 1f));
        graph.Node.Add(Node("Mul", "decay", "param", "minus_half"));
        graph.Node.Add(Node("Mul", "descent", "grad", "minus_tenth"));
        graph.Node.Add(Node("Add", "update", "decay", "descent"));
        graph.Node.Add(Node("Add", "state_count_out", "state_count", "one"));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "l2l.format", Value = "1" });
        return model.ToByteArray();
    }

    private static ValueInfoProto Value(string name, params long[] width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var w in width) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = w });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static TensorProto Scalar(string name, float value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        return tensor;
    }

    private static NodeProto Node(string op, string output, string a, string b)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.Add(a);
        node.Input.Add(b);
        node.Output.Add(output);
        return node;
    }
}
