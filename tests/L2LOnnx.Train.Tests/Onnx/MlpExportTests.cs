using L2LOnnx.Runtime;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>The exported MLP optimizer runs on ONNX Runtime as it does in TorchSharp, and passes the official checker.</summary>
public sealed class MlpExportTests
{
    private static readonly MlpOptimizerConfig[] Configs =
    [
        MlpOptimizerConfig.Default,
        new(new CoordinateFeatureConfig([0.5, 0.9, 0.99], UseParameter: true, TimeScales: [10.0, 100.0]), [7], StepSize: 0.03, MagnitudeRange: 2, BoundedDirection: true),
        new(new CoordinateFeatureConfig([0.99]), [], StepSize: 0.1),
        new(CoordinateFeatureConfig.Default, [8], StepAdaptationRate: 0.2, StepAdaptationRange: 3),
        new(CoordinateFeatureConfig.Default, [8], StepAdaptationRate: 0.3, StepAdaptationRange: 3, StepAdaptationCeiling: 0.1),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void OnnxRuntimeMatchesTorchSharpOverTwentySteps(int config)
    {
        using var temp = new TempDirectory();
        using var network = RandomlyWeighted(config, seed: 17 + config);
        var path = Export(network, temp);

        const int n = 301;
        using var onnx = LearnedOptimizer.Load(path);
        using var onnxState = onnx.CreateState(n);
        ILearnedOptimizerNetwork torchNetwork = network;
        var torchState = torchNetwork.InitialState(n);
        var update = new float[n];
        var param = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i)).ToArray();
        double worst = 0;
        for (var step = 0; step < 20; step++)
        {
            var grad = Gradients.Spanning(n, seed: step);
            onnx.ComputeUpdate(grad, onnxState, update, Configs[config].Features.UseParameter ? param : default);
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                var (torchUpdate, next) = torchNetwork.Step(tensor(grad), tensor(param), torchState);
                worst = Math.Max(worst, ExportParityTests.MaxRelativeDifference(torchUpdate.data<float>().ToArray(), update));
                var accumulators = ((MlpOptimizerState)next).Accumulators.contiguous().data<float>().ToArray();
                worst = Math.Max(worst, ExportParityTests.MaxRelativeDifference(accumulators, onnxState.Read(MlpOptimizerExporter.StateName).ToArray()));
                var carried = next.DetachToOuterScope();
                torchState.Dispose();
                torchState = carried;
            }
        }
        torchState.Dispose();
        Assert.True(worst <= 1e-5, $"largest relative difference {worst:E3} exceeds 1e-5");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void TheFusedEngineRunsEveryExportLikeOnnxRuntime(int config)
    {
        using var temp = new TempDirectory();
        using var network = RandomlyWeighted(config, seed: 31 + config);
        var path = Export(network, temp);

        const int n = 517;
        using var fused = LearnedOptimizer.Load(path, new LearnedOptimizerOptions { Engine = OptimizerEngine.Fused });
        using var reference = LearnedOptimizer.Load(path, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime });
        Assert.StartsWith("fused CPU engine: compiled program", fused.EngineDescription);
        using var fusedState = fused.CreateState(n);
        using var referenceState = reference.CreateState(n);
        var param = Enumerable.Range(0, n).Select(i => (float)Math.Cos(i)).ToArray();
        var fusedUpdate = new float[n];
        var referenceUpdate = new float[n];
        double worst = 0;
        for (var step = 0; step < 20; step++)
        {
            var grad = Gradients.Spanning(n, seed: 100 + step);
            var usesParam = Configs[config].Features.UseParameter;
            fused.ComputeUpdate(grad, fusedState, fusedUpdate, usesParam ? param : default);
            reference.ComputeUpdate(grad, referenceState, referenceUpdate, usesParam ? param : default);
            worst = Math.Max(worst, ExportParityTests.MaxRelativeDifference(referenceUpdate, fusedUpdate));
            worst = Math.Max(worst, ExportParityTests.MaxRelativeDifference(
                referenceState.Read(MlpOptimizerExporter.StateName).ToArray(), fusedState.Read(MlpOptimizerExporter.StateName).ToArray()));
        }
        Assert.True(worst <= 1e-5, $"largest relative difference fused vs ONNX Runtime {worst:E3} exceeds 1e-5");
    }

    /// <summary>
    /// A network of config <paramref name="config"/> with random weights everywhere: the warm start's zeros
    /// would leave most of the graph untested.
    /// </summary>
    private static MlpOptimizer RandomlyWeighted(int config, int seed)
    {
        random.manual_seed(seed);
        var network = new MlpOptimizer(Configs[config]);
        using (no_grad())
            foreach (var parameter in network.parameters()) parameter.copy_(randn(parameter.shape).mul(0.5));
        return network;
    }

    private static string Export(MlpOptimizer network, TempDirectory temp)
    {
        var path = temp.File("mlp.onnx");
        MlpOptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "test" });
        return path;
    }

    [Fact]
    public void TheFileDeclaresParamOnlyWhenTheFeaturesUseIt()
    {
        using var temp = new TempDirectory();
        foreach (var (config, expected) in new[] { (Configs[0], false), (Configs[1], true) })
        {
            using var network = new MlpOptimizer(config);
            var path = temp.File($"mlp-{expected}.onnx");
            OptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "test" });
            using var onnx = LearnedOptimizer.Load(path);
            Assert.Equal(expected, onnx.Contract.HasParamInput);
        }
    }

    [OnnxCheckerFact]
    public void EveryShapeOfMlpPassesTheFullCheck()
    {
        using var temp = new TempDirectory();
        var paths = new List<string>();
        for (var i = 0; i < Configs.Length; i++)
        {
            torch.random.manual_seed(i);
            using var network = new MlpOptimizer(Configs[i]);
            var path = temp.File($"mlp{i}.onnx");
            MlpOptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "test" });
            paths.Add(path);
        }
        var (exitCode, output, error) = DebianPython.Run([Path.Combine(DebianPython.RepositoryRoot(), "interop", "pytorch", "check_onnx.py"), .. paths]);
        Assert.True(exitCode == 0, $"onnx.checker refused an exported MLP file:\n{output}\n{error}");
        Assert.Contains($"{paths.Count} of {paths.Count} files pass onnx 1.", output);
    }
}
