using Google.Protobuf;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Engines;
using L2LOnnx.Runtime.Engines.Fused;
using Onnx;
using Xunit.Abstractions;

namespace L2LOnnx.Runtime.Tests;

/// <summary>
/// The general fused compiler runs graphs other producers write (PyTorch's own exports of
/// nn.LSTMCell, nn.LSTM and an nn.Sequential MLP optimizer, hand-built graphs) within 1e-5 of ONNX
/// Runtime, and declines what it cannot run with the node and the reason.
/// </summary>
public sealed class FusedProgramTests(ITestOutputHelper output)
{
    [PyTorchFact]
    public void PyTorchsLstmCellExportRunsFused() => RunsFusedLikeOnnxRuntime(Export("lstmcell"), "Gemm");

    [PyTorchFact]
    public void PyTorchsLstmExportRunsFused() => RunsFusedLikeOnnxRuntime(Export("lstm"), "LSTM");

    [PyTorchFact]
    public void PyTorchsMlpOptimizerRunsFused() => RunsFusedLikeOnnxRuntime(Export("mlp"), "Relu");

    [Fact]
    public void HandBuiltGraphsRunFused()
    {
        RunsFusedLikeOnnxRuntime(new HandBuiltModel().ToBytes(), "Add");
        RunsFusedLikeOnnxRuntime(ParamInputTests.Model(), "Mul");
    }

    /// <summary>
    /// The exporter's LSTM graph, compiled instead of recognised: every vector width agrees with ONNX
    /// Runtime, in place, double-buffered, and double-buffered with non-temporal stores of the next
    /// state (which only states beyond the caches get otherwise).
    /// </summary>
    [Theory]
    [InlineData(512, false, FusedEngine.DefaultStreamingBytes)]
    [InlineData(512, true, FusedEngine.DefaultStreamingBytes)]
    [InlineData(512, false, 0L)]
    [InlineData(256, false, 0L)]
    [InlineData(0, false, 0L)]
    public void TheCompiledExporterGraphAgreesWithOnnxRuntimeAtEveryVectorWidth(int widest, bool inPlace, long streamingBytes)
    {
        foreach (var (layers, hidden, p) in new[] { (2, 20, (double?)10.0), (1, 7, null) })
        {
            var bytes = LstmModels.Bytes(layers, hidden, p, scale: 0.1);
            var (onnx, contract) = ModelPrecheck.Check(bytes);
            var program = FusedProgramCompiler.TryCompile(onnx, contract, out var reason);
            Assert.True(program is not null, reason);
            using var ort = new OrtEngine(bytes, new LearnedOptimizerOptions { IntraOpThreads = 1 });
            using var fused = new FusedEngine(FusedKernel.ForProgram(program, widest), threads: 2, inPlace: inPlace, streamingBytes: streamingBytes);
            var difference = EngineSelfCheck.Compare(fused, ort, contract, new string('0', 64), 5 * fused.BlockWidth + 3, (float)Math.Exp(-10));
            output.WriteLine($"{fused.Description}: {difference:E2}");
            Assert.True(difference <= EngineSelfCheck.Tolerance, $"{fused.Description}: difference {difference:E2}");
        }
    }

    [Fact]
    public void AnOperatorOutsideTheWhitelistFallsBackWithTheNodeNamed()
    {
        var model = ModelProto.Parser.ParseFrom(new HandBuiltModel().ToBytes());
        var node = model.Graph.Node.First(n => n.Output.Contains("update"));
        node.OpType = "Pow";
        using var auto = LearnedOptimizer.Load(model.ToByteArray(), new LearnedOptimizerOptions { IntraOpThreads = 1 });
        Assert.Equal(OptimizerEngine.OnnxRuntime, auto.Engine);
        Assert.Contains("the fused engine does not run this graph: node Pow", auto.EngineReason);
        Assert.Contains("implements 0.5, 1, 2 and -1", auto.EngineReason);
    }

    [Fact]
    public void ANodeThatMixesCoordinatesIsDeclined()
    {
        // update = grad x grad^T would be [N, N]: Mul of [N, 1] by [1, N] broadcasts over coordinates.
        var model = ModelProto.Parser.ParseFrom(new HandBuiltModel().ToBytes());
        var (onnx, contract) = ModelPrecheck.Check(model.ToByteArray());
        Assert.NotNull(FusedProgramCompiler.TryCompile(onnx, contract, out _));
        var axes = new TensorProto { Name = "axes_1", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 } };
        axes.Int64Data.Add(1);
        var axes0 = new TensorProto { Name = "axes_0", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 } };
        axes0.Int64Data.Add(0);
        model.Graph.Initializer.Add(axes);
        model.Graph.Initializer.Add(axes0);
        var update = model.Graph.Node.First(n => n.Output.Contains("update"));
        var grad = update.Input.First(i => i == "grad");
        model.Graph.Node.Insert(0, new NodeProto { OpType = "Unsqueeze", Input = { grad, "axes_1" }, Output = { "column" } });
        model.Graph.Node.Insert(1, new NodeProto { OpType = "Unsqueeze", Input = { grad, "axes_0" }, Output = { "row" } });
        model.Graph.Node.Insert(2, new NodeProto { OpType = "Mul", Name = "outer", Input = { "column", "row" }, Output = { "outer" } });
        model.Graph.Node.Insert(3, new NodeProto { OpType = "ReduceSum", Input = { "outer", "axes_1" }, Output = { "mixed" }, Attribute = { new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 } } });
        update.Input[update.Input.IndexOf(grad)] = "mixed";
        (onnx, contract) = ModelPrecheck.Check(model.ToByteArray());
        Assert.Null(FusedProgramCompiler.TryCompile(onnx, contract, out var reason));
        Assert.Contains("node Mul (outer)", reason);
        Assert.Contains("mixes coordinates", reason);
    }

    [Fact]
    public void NonFiniteGradientsKeepTheirStateOnTheCompiledProgram()
    {
        var options = new LearnedOptimizerOptions { IntraOpThreads = 1, NonFiniteGradients = NonFiniteGradientPolicy.SkipCoordinates };
        var bytes = new HandBuiltModel().ToBytes();
        using var fused = LearnedOptimizer.Load(bytes, options with { Engine = OptimizerEngine.Fused });
        using var ort = LearnedOptimizer.Load(bytes, options with { Engine = OptimizerEngine.OnnxRuntime });
        const int n = 100;
        using var a = fused.CreateState(n);
        using var b = ort.CreateState(n);
        var grad = Gradients.Spanning(n, 3);
        grad[5] = float.NaN;
        grad[70] = float.PositiveInfinity;
        var (ua, ub) = (new float[n], new float[n]);
        fused.ComputeUpdate(grad, a, ua);
        ort.ComputeUpdate(grad, b, ub);
        Assert.Equal(ub, ua);
        Assert.Equal(b.Read(0), a.Read(0));
        Assert.Equal(0f, a.Read(0)[5]);
        Assert.Equal(1f, a.Read(0)[6]);
    }

    private byte[] Export(string kind)
    {
        using var temp = new TempDirectory();
        var script = Path.Combine(DebianPython.RepositoryRoot(), "interop", "pytorch", "export_torch_modules.py");
        var path = temp.File($"{kind}.onnx");
        var (exitCode, stdout, error) = DebianPython.Run(script, "--kind", kind, "--out", path, "--seed", "3");
        Assert.True(exitCode == 0, $"the PyTorch script failed:\n{stdout}\n{error}");
        output.WriteLine(stdout.Trim());
        return File.ReadAllBytes(path);
    }

    /// <summary>Auto picks the compiled program; fused and ONNX Runtime agree within 1e-5 over 30 steps, updates and states.</summary>
    private void RunsFusedLikeOnnxRuntime(byte[] bytes, string expectedOperator)
    {
        using var fused = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { IntraOpThreads = 2 });
        using var ort = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1 });
        output.WriteLine($"{fused.EngineDescription} ({fused.EngineReason})");
        Assert.Equal(OptimizerEngine.Fused, fused.Engine);
        Assert.Contains("compiled program", fused.EngineDescription);
        Assert.Contains(expectedOperator, fused.EngineDescription);

        const int n = 1001;
        using var a = fused.CreateState(n);
        using var b = ort.CreateState(n);
        // Non-negative states: the MLP's second moment goes under a square root.
        var random = new Random(11);
        for (var s = 0; s < a.Specs.Count; s++)
        {
            var values = Enumerable.Range(0, n * a.Specs[s].Width).Select(_ => (float)random.NextDouble()).ToArray();
            a.Write(s, values);
            b.Write(s, values);
        }
        var parameters = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var (ua, ub) = (new float[n], new float[n]);
        double worst = 0;
        for (var step = 0; step < 30; step++)
        {
            var grad = Gradients.Spanning(n, seed: step);
            fused.ComputeUpdate(grad, a, ua, parameters);
            ort.ComputeUpdate(grad, b, ub, parameters);
            worst = Math.Max(worst, LstmModels.MaxDifference(ub, ua));
            for (var s = 0; s < a.Specs.Count; s++) worst = Math.Max(worst, LstmModels.MaxDifference(b.Read(s), a.Read(s)));
            for (var i = 0; i < n; i++) parameters[i] += ub[i];
        }
        output.WriteLine($"largest difference over 30 steps: {worst:E2}");
        Assert.True(worst <= 1e-5, $"fused vs ONNX Runtime: {worst:E3}");
    }
}
