using L2LOnnx.Train.Onnx;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>The exported ONNX file computes what the TorchSharp network computes.</summary>
public sealed class ExportParityTests
{
    [Theory]
    [InlineData(2, 20, 10.0, 0.1)]
    [InlineData(1, 7, null, 1.0)]
    [InlineData(3, 5, 5.0, 0.01)]
    public void OnnxRuntimeMatchesTorchSharpOverTwentySteps(int layers, int hidden, double? p, double scale)
    {
        random.manual_seed(7);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(layers, hidden, p, scale));
        using var temp = new TempDirectory();
        var path = temp.File("optimizer.onnx");
        LstmOptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "test" });

        const int n = 301;
        using var onnx = LearnedOptimizer.Load(path);
        using var onnxState = onnx.CreateState(n);
        var torchState = network.InitialState(n);
        var update = new float[n];
        double worst = 0;
        for (var step = 0; step < 20; step++)
        {
            var grad = Gradients.Spanning(n, seed: step);
            onnx.ComputeUpdate(grad, onnxState, update);
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                var (torchUpdate, next) = network.Step(tensor(grad), torchState);
                worst = Math.Max(worst, MaxRelativeDifference(torchUpdate.data<float>().ToArray(), update));
                for (var layer = 0; layer < layers; layer++)
                {
                    worst = Math.Max(worst, MaxRelativeDifference(next.Layers[layer].H.contiguous().data<float>().ToArray(), onnxState.Read(LstmOptimizerExporter.StateName(layer, "h")).ToArray()));
                    worst = Math.Max(worst, MaxRelativeDifference(next.Layers[layer].C.contiguous().data<float>().ToArray(), onnxState.Read(LstmOptimizerExporter.StateName(layer, "c")).ToArray()));
                }
                var carried = next.DetachToOuterScope();
                torchState.Dispose();
                torchState = carried;
            }
        }
        torchState.Dispose();
        Assert.True(worst <= 1e-5, $"largest relative difference {worst:E3} exceeds 1e-5");
    }

    /// <summary>|a - b| / max(1, |a|): relative for large values, absolute near zero.</summary>
    internal static double MaxRelativeDifference(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (var i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / Math.Max(1.0, Math.Abs(expected[i])));
        return worst;
    }
}
