using Google.Protobuf;
using Onnx;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>
/// Finding 5 of issue 11 on the fused engine: a model whose update or next state is NaN or infinite
/// for a few coordinates only, anywhere in the state (a late block, a helper thread's chunk, the last
/// partial block), has its whole step refused with nothing written: parameters, state and step count
/// bit-identical, on the compiled-program path and on the hand-tuned LSTM kernel, with float32 and
/// bfloat16 state, on one thread and two (then the helper thread finds some of them: the tests fail
/// if a helper's finding is ignored). <see cref="LearnedOptimizerOptions.SkipOutputCheck"/> lets the
/// values through.
/// </summary>
public sealed class FusedOutputCheckTests
{
    /// <summary>Not a multiple of any block width, so the last block is partial.</summary>
    private const int N = 4_001;

    /// <summary>
    /// Bad coordinates tried one at a time, rising to the last one: every chunk gets one. Rising, so a
    /// stale bad value left by the previous refusal would be named first if the engine skipped work.
    /// </summary>
    private static IEnumerable<int> BadCoordinates() => Enumerable.Range(0, 10).Select(k => N - 1 - (9 - k) * 443);

    public static TheoryData<bool, int, StatePrecision> ProgramCases()
    {
        var cases = new TheoryData<bool, int, StatePrecision>();
        foreach (var fromState in new[] { false, true })
            foreach (var threads in new[] { 1, 2 })
                foreach (var precision in new[] { StatePrecision.Float32, StatePrecision.BFloat16 })
                    cases.Add(fromState, threads, precision);
        return cases;
    }

    [Theory]
    [MemberData(nameof(ProgramCases))]
    public void TheCompiledProgramRefusesANonFiniteValueAnywhereWithNothingWritten(bool fromState, int threads, StatePrecision precision)
    {
        var bytes = LogOfGradientModel(fromState);
        using var optimizer = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.Fused, IntraOpThreads = threads, StatePrecision = precision });
        Assert.Equal(OptimizerEngine.Fused, optimizer.Engine);
        Assert.Contains("compiled program", optimizer.EngineDescription);
        using var state = optimizer.CreateState(N);
        var parameters = Enumerable.Range(0, N).Select(i => i * 0.25f).ToArray();
        var good = Enumerable.Range(0, N).Select(i => 0.5f + i % 13 / 13f).ToArray();
        optimizer.Step(parameters, good, state);

        var refusals = 0;
        foreach (var bad in BadCoordinates())
        {
            // Log of a negative gradient is NaN, of zero -Inf: one coordinate at a time.
            var grad = (float[])good.Clone();
            grad[bad] = bad % 2 == 0 ? -1f : 0f;
            var where = fromState ? $"state 'state_count_out' at coordinate {bad} is " : $"update[{bad}] is ";
            RefusedWithNothingWritten(optimizer, state, parameters, grad, where);

            // Every other time, a finite step goes through (and swaps the buffers, so refusals happen
            // at both parities); otherwise two refusals follow each other.
            if (++refusals % 2 == 1) continue;
            var steps = state.Steps;
            var before = state.Read(0);
            optimizer.Step(parameters, good, state);
            Assert.Equal(steps + 1, state.Steps);
            Assert.NotEqual(before, state.Read(0));
        }

        using var trusting = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.Fused, IntraOpThreads = threads, StatePrecision = precision, SkipOutputCheck = true });
        Assert.Contains("no output check", trusting.EngineDescription);
        using var passed = trusting.CreateState(N);
        var last = (float[])good.Clone();
        last[N - 1] = -1f;
        trusting.Step(parameters, last, passed);
        Assert.True(float.IsNaN(fromState ? passed.Read(0)[N - 1] : parameters[N - 1]));
        Assert.All((fromState ? passed.Read(0) : parameters)[..(N - 1)], v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TheLstmKernelRefusesAnInfiniteUpdateAnywhereWithNothingWritten(int threads)
    {
        // The paper's 2x20 network on enough coordinates (a few ms a step) that the helper thread
        // takes its share of the chunks, so some bad coordinates are found by the helper, not the caller.
        const int n = 32_001;
        var bytes = OverflowingLstm();
        using var optimizer = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.Fused, IntraOpThreads = threads });
        Assert.Equal(OptimizerEngine.Fused, optimizer.Engine);
        Assert.Contains("LSTM 2x20", optimizer.EngineDescription);
        Assert.DoesNotContain("compiled program", optimizer.EngineDescription);
        using var state = optimizer.CreateState(n);
        var parameters = Enumerable.Range(0, n).Select(i => i * 0.25f).ToArray();
        var grad = Gradients.Spanning(n, seed: 5);
        optimizer.Step(parameters, grad, state);
        var c = state.Read(CellState);

        foreach (var bad in Enumerable.Range(0, 12).Select(k => n - 1 - k * 2_741))
        {
            // A finite cell value of 5 in unit 0 of the last layer makes h0 = tanh(5), and 2 x 3e38 x h0 overflows.
            c[bad * Hidden] = 5f;
            state.Write(CellState, c);
            RefusedWithNothingWritten(optimizer, state, parameters, grad, $"update[{bad}] is ");

            c[bad * Hidden] = 0f;
            state.Write(CellState, c);
            var steps = state.Steps;
            optimizer.Step(parameters, grad, state);
            Assert.Equal(steps + 1, state.Steps);
            c = state.Read(CellState);
        }

        using var trusting = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.Fused, IntraOpThreads = threads, SkipOutputCheck = true });
        using var passed = trusting.CreateState(n);
        var hot = new float[n * Hidden];
        hot[(n - 1) * Hidden] = 5f;
        passed.Write(CellState, hot);
        trusting.Step(parameters, grad, passed);
        Assert.Equal(float.PositiveInfinity, parameters[n - 1]);
        Assert.All(parameters[..(n - 1)], p => Assert.True(float.IsFinite(p)));
    }

    private const int Hidden = 20;

    private const string CellState = "state_lstm1_c";

    [Fact]
    public unsafe void BFloat16StorageReportsAFiniteFloatThatRoundsToInfinity()
    {
        // float.MaxValue is finite in float32 but rounds to bfloat16 infinity: the check is on what is stored.
        var count = System.Numerics.Vector<ushort>.Count;
        var source = Enumerable.Repeat(1.5f, count).ToArray();
        var stored = new ushort[count];
        fixed (float* from = source)
        fixed (ushort* to = stored)
        {
            Assert.True(L2LOnnx.Runtime.Engines.Fused.BFloat16Staging.Encode(from, to, count));
            from[count - 1] = float.MaxValue;
            Assert.False(L2LOnnx.Runtime.Engines.Fused.BFloat16Staging.Encode(from, to, count));
        }
        Assert.Equal(float.PositiveInfinity, StateLayout.FromBFloat16(stored[^1]));
    }

    /// <summary>The step throws the documented exception naming the bad value, and parameters, state, step count and the caller's update buffer are bit-identical.</summary>
    private static void RefusedWithNothingWritten(LearnedOptimizer optimizer, OptimizerState state, float[] parameters, float[] grad, string where)
    {
        var n = parameters.Length;
        var checkpoint = Checkpoint(state);
        var parameterBits = Bits(parameters);
        var e = Assert.Throws<ContractViolationException>(() => optimizer.Step(parameters, grad, state));
        Assert.Contains(where, e.Message);
        Assert.Contains("parameters and state are unchanged", e.Message);
        Assert.Equal(parameterBits, Bits(parameters));
        Assert.Equal(checkpoint, Checkpoint(state));

        var update = Enumerable.Repeat(7f, n).ToArray();
        Assert.Throws<ContractViolationException>(() => optimizer.ComputeUpdate(grad, state, update, parameters));
        Assert.All(update, u => Assert.Equal(7f, u));
        Assert.Equal(checkpoint, Checkpoint(state));
    }

    private static byte[] Checkpoint(OptimizerState state)
    {
        using var stream = new MemoryStream();
        state.Save(stream);
        return stream.ToArray();
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>
    /// The hand-built model with a logarithm of the gradient in the update (<c>update = -0.1 log g</c>,
    /// <c>count' = count + |g|</c>) or in the next state (<c>update = -0.1 g</c>, <c>count' = count + log g</c>).
    /// </summary>
    private static byte[] LogOfGradientModel(bool inState)
    {
        var model = HostileModels.Base();
        var axes = new TensorProto { Name = "axes", DataType = (int)TensorProto.Types.DataType.Int64 };
        axes.Dims.Add(1);
        axes.Int64Data.Add(1);
        model.Graph.Initializer.Add(axes);
        model.Graph.Node.Clear();
        model.Graph.Node.Add(Node("Log", ["grad"], "log"));
        model.Graph.Node.Add(Node("Abs", ["grad"], "magnitude"));
        model.Graph.Node.Add(Node("Mul", [inState ? "grad" : "log", "minus_lr"], "update"));
        model.Graph.Node.Add(Node("Unsqueeze", [inState ? "log" : "magnitude", "axes"], "increment"));
        model.Graph.Node.Add(Node("Add", ["state_count", "increment"], "state_count_out"));
        return model.ToByteArray();
    }

    /// <summary>
    /// The exporter's 2x20 LSTM with the paper's preprocessing, edited so that its update overflows for
    /// a coordinate whose last-layer unit-0 cell is large: that unit keeps its cell (forget and output
    /// gates open, input gate shut, no weights) and h0 = tanh(c0) is the only input of the output
    /// layer, scaled by 2 x 3e38. Every other coordinate gets an update of exactly 0 while the other
    /// units keep learning from the gradient.
    /// </summary>
    private static byte[] OverflowingLstm()
    {
        var model = ModelProto.Parser.ParseFrom(LstmModels.Bytes(2, Hidden, 10.0, scale: 0.1));
        var w = Edit(model, "lstm1_W");
        var r = Edit(model, "lstm1_R");
        var b = Edit(model, "lstm1_B");
        // ONNX gate order i, o, f, c: unit 0's rows are 0, H, 2H, 3H; W and R are [1][4H][H] here; B is [Wb; Rb].
        var (input, output, forget, cell) = (0, Hidden, 2 * Hidden, 3 * Hidden);
        foreach (var row in new[] { input, output, forget, cell })
        {
            Array.Clear(w.Values, row * Hidden, Hidden);
            Array.Clear(r.Values, row * Hidden, Hidden);
            b.Values[row] = 0f;
            b.Values[4 * Hidden + row] = 0f;
        }
        b.Values[input] = -30f;
        b.Values[output] = 30f;
        b.Values[forget] = 30f;
        var outputWeights = Edit(model, "output_W");
        Array.Clear(outputWeights.Values);
        outputWeights.Values[0] = 2f;
        var outputBias = Edit(model, "output_B");
        outputBias.Values[0] = 0f;
        var scale = Edit(model, "output_scale");
        scale.Values[0] = 3e38f;
        foreach (var edit in new[] { w, r, b, outputWeights, outputBias, scale }) edit.Save();

        model.MetadataProps.Single(p => p.Key == "l2l.output_scale").Value = "3e38";
        var hash = model.MetadataProps.Single(p => p.Key == ContractV1.WeightsHashKey);
        hash.Value = WeightsHash.Compute(L2LOnnx.Runtime.Onnx.OnnxModelReader.Read(model.ToByteArray()).Graph);
        L2LOnnx.Runtime.Onnx.Writing.ModelStamp.Apply(model);
        return model.ToByteArray();
    }

    private static FloatEdit Edit(ModelProto model, string name) => new(model.Graph.Initializer.Single(t => t.Name == name));

    /// <summary>An initializer's floats, written back as raw data by <see cref="Save"/>.</summary>
    private sealed class FloatEdit(TensorProto tensor)
    {
        public float[] Values { get; } = tensor.RawData.Length > 0
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
            : tensor.FloatData.ToArray();

        public void Save()
        {
            tensor.FloatData.Clear();
            tensor.RawData = HostileModels.Floats(Values);
        }
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }
}
