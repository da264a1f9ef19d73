using Xunit.Abstractions;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Runtime;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>The fused engine computes what ONNX Runtime and the TorchSharp network compute.</summary>
public sealed class FusedEngineParityTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(2, 20, 10.0, 0.1)]
    [InlineData(1, 7, null, 1.0)]
    [InlineData(3, 5, 5.0, 0.01)]
    public void FusedOnnxRuntimeAndTorchSharpAgreeOverFiftySteps(int layers, int hidden, double? p, double scale)
    {
        var bytes = LstmModels.Bytes(layers, hidden, p, scale);
        using var fused = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.Fused, IntraOpThreads = 2 });
        using var ort = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1 });
        Assert.Equal(OptimizerEngine.Fused, fused.Engine);
        Assert.Equal(OptimizerEngine.OnnxRuntime, ort.Engine);
        using var network = LstmNetworks.Network(layers, hidden, p, scale);

        const int n = 1001;
        using var fusedState = fused.CreateState(n);
        using var ortState = ort.CreateState(n);
        var torchState = network.InitialState(n);
        var fusedUpdate = new float[n];
        var ortUpdate = new float[n];
        double fusedVsOrt = 0, fusedVsTorch = 0, ortVsTorch = 0;
        for (var step = 0; step < 50; step++)
        {
            var grad = Gradients.Spanning(n, seed: step);
            fused.ComputeUpdate(grad, fusedState, fusedUpdate);
            ort.ComputeUpdate(grad, ortState, ortUpdate);
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                var (torchUpdate, next) = network.Step(tensor(grad), torchState);
                var expected = torchUpdate.data<float>().ToArray();
                fusedVsTorch = Math.Max(fusedVsTorch, LstmModels.MaxDifference(expected, fusedUpdate));
                ortVsTorch = Math.Max(ortVsTorch, LstmModels.MaxDifference(expected, ortUpdate));
                fusedVsOrt = Math.Max(fusedVsOrt, LstmModels.MaxDifference(ortUpdate, fusedUpdate));
                for (var layer = 0; layer < layers; layer++)
                {
                    foreach (var (part, torchValue) in new[] { ("h", next.Layers[layer].H), ("c", next.Layers[layer].C) })
                    {
                        var name = LstmOptimizerExporter.StateName(layer, part);
                        var torchValues = torchValue.data<float>().ToArray();
                        fusedVsTorch = Math.Max(fusedVsTorch, LstmModels.MaxDifference(torchValues, fusedState.Read(name)));
                        fusedVsOrt = Math.Max(fusedVsOrt, LstmModels.MaxDifference(ortState.Read(name), fusedState.Read(name)));
                    }
                }
                var carried = next.DetachToOuterScope();
                torchState.Dispose();
                torchState = carried;
            }
        }
        torchState.Dispose();
        output.WriteLine($"largest differences over 50 steps: fused vs ONNX Runtime {fusedVsOrt:E2}, fused vs TorchSharp {fusedVsTorch:E2}, ONNX Runtime vs TorchSharp {ortVsTorch:E2}");
        Assert.True(fusedVsOrt <= 1e-5, $"fused vs ONNX Runtime: {fusedVsOrt:E3}");
        Assert.True(fusedVsTorch <= 1e-5, $"fused vs TorchSharp: {fusedVsTorch:E3}");
        Assert.True(ortVsTorch <= 1e-5, $"ONNX Runtime vs TorchSharp: {ortVsTorch:E3}");
    }

    [Fact]
    public void AutoChoosesTheFusedEngineAndSaysWhy()
    {
        var messages = new List<string>();
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { IntraOpThreads = 1, Log = messages.Add });
        Assert.Equal(OptimizerEngine.Fused, optimizer.Engine);
        Assert.Contains("LSTM 2x20", optimizer.EngineDescription);
        Assert.Contains("agrees with ONNX Runtime", optimizer.EngineReason);
        Assert.Contains(messages, m => m.Contains("fused CPU engine"));
    }
}
