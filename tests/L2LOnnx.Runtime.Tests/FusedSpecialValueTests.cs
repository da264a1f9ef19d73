using L2LOnnx.Runtime.Engines;
using L2LOnnx.Runtime.Engines.Fused;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Runtime.Onnx.Writing;
using Onnx;

namespace L2LOnnx.Runtime.Tests;

/// <summary>
/// Every whitelisted elementwise operator of the compiled fused program treats NaN, infinities, signed
/// zeros, subnormals and huge values as ONNX Runtime does: a NaN the compiled program turned into a
/// number would let a broken update through the finiteness check, and make the load-time probe refuse
/// any model whose states can leave its domain.
/// </summary>
public sealed class FusedSpecialValueTests
{
    // Gradients must be finite (the runtime's policy refuses others before any operator runs), so the
    // non-finite values come in through the state, as they do when a model leaves its domain.
    private static readonly float[] Specials =
        [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1f, -1f, 3e38f, -3e38f, 1e-40f, 100f, -100f, 0.5f];

    private static readonly float[] FiniteSpecials = [.. Specials.Where(float.IsFinite)];

    public static TheoryData<string> Unary() => new() { "Sigmoid", "Tanh", "Relu", "Abs", "Log", "Exp", "Sign", "Sqrt", "Reciprocal", "Neg" };

    public static TheoryData<string, bool> Binary()
    {
        var data = new TheoryData<string, bool>();
        foreach (var op in new[] { "Add", "Sub", "Mul", "Div", "Max", "Min", "WhereLess", "WhereGreater" })
        {
            data.Add(op, false);
            data.Add(op, true);
        }
        data.Add("Clip", false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Unary))]
    public void UnaryOperatorsMatchOnnxRuntimeOnSpecialValues(string op) => AssertMatches(op, Model(op, binary: false, stateFirst: true));

    [Theory]
    [MemberData(nameof(Binary))]
    public void BinaryOperatorsMatchOnnxRuntimeOnSpecialValues(string op, bool stateFirst) => AssertMatches($"{op} (state first: {stateFirst})", Model(op, binary: true, stateFirst));

    private static void AssertMatches(string op, byte[] bytes)
    {
        var (onnx, contract) = ModelPrecheck.Check(bytes);
        var program = FusedProgramCompiler.TryCompile(onnx, contract, out var reason);
        Assert.True(program is not null, reason);
        using var ort = new OrtEngine(bytes, new LearnedOptimizerOptions { IntraOpThreads = 1 });
        foreach (var widest in new[] { 512, 256, 0 })
        {
            using var fused = new FusedEngine(FusedKernel.ForProgram(program, widest), threads: 1);
            // Every special value against every other, padded to a partial last block.
            var n = FiniteSpecials.Length * Specials.Length + 5;
            var segments = new[] { new ParameterSegment("", 0, n) };
            using var a = new OptimizerState(contract, segments, new string('0', 64), fused.Layout);
            using var b = new OptimizerState(contract, segments, new string('0', 64), ort.Layout);
            var grad = new float[n];
            var state = new float[n];
            for (var i = 0; i < FiniteSpecials.Length * Specials.Length; i++)
                (grad[i], state[i]) = (FiniteSpecials[i / Specials.Length], Specials[i % Specials.Length]);
            a.CopyIn(0, 0, n, state);
            b.CopyIn(0, 0, n, state);
            grad.CopyTo(a.Gradient.Span);
            grad.CopyTo(b.Gradient.Span);
            fused.Step(a, hasNonFinite: false, checkOutputs: false);
            ort.Step(b, hasNonFinite: false, checkOutputs: false);
            var actual = a.Update.Span[..n].ToArray();
            var expected = b.Update.Span[..n].ToArray();
            for (var i = 0; i < n; i++)
            {
                var same = float.IsNaN(expected[i]) ? float.IsNaN(actual[i])
                    : float.IsInfinity(expected[i]) ? actual[i].Equals(expected[i])
                    : Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i]));
                Assert.True(same, $"{op}({grad[i]:R}, {state[i]:R}) at vector width {widest}: ONNX Runtime {expected[i]:R}, fused {actual[i]:R}");
            }
        }
    }

    /// <summary>update = op(state), op(grad, state) or op(state, grad); the state is carried unchanged (plus zero).</summary>
    private static byte[] Model(string op, bool binary, bool stateFirst)
    {
        const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float;
        var n = OnnxDimension.Symbolic("N");
        var graph = new OnnxGraphWriter("special_values", $"update = {op}(grad{(binary ? ", state" : "")})");
        graph.Input(ContractV1.GradInput, Float, "gradient", n);
        graph.Input("state_x", Float, "second operand", n, OnnxDimension.Fixed(1));
        var x = graph.Node("Squeeze", "x", "state_x", graph.Int64Initializer("axes", 1));
        var (g, s) = stateFirst ? (x, ContractV1.GradInput) : (ContractV1.GradInput, x);
        var update = op switch
        {
            "Clip" => graph.Node("Clip", "clipped", x, graph.Scalar("low", -2f), graph.Scalar("high", 50f)),
            "WhereLess" => graph.Node("Where", "selected_less", graph.Node("Less", "less", g, s), g, s),
            "WhereGreater" => graph.Node("Where", "selected_greater", graph.Node("Greater", "greater", g, s), s, g),
            _ when binary => graph.Node(op, "result", g, s),
            _ => graph.Node(op, "result", x),
        };
        graph.Node("Mul", ContractV1.UpdateOutput, update, graph.Scalar("one", 1f));
        graph.Node("Add", "state_x" + ContractV1.StateOutputSuffix, "state_x", graph.Scalar("zero", 0f));
        graph.Output(ContractV1.UpdateOutput, Float, "update", n);
        graph.Output("state_x" + ContractV1.StateOutputSuffix, Float, "state", n, OnnxDimension.Fixed(1));
        return graph.ToBytes("test", new Dictionary<string, string> { [ContractV1.FormatKey] = ContractV1.FormatVersion });
    }
}
