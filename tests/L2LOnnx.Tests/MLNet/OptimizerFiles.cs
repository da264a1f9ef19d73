using L2LOnnx.Interop.Onnx;
using L2LOnnx.Train.Optimizers;
using TorchSharp;

namespace L2LOnnx.Tests.MLNet;

/// <summary>
/// Optimizer files the ML.NET tests train with: the quadratic-trained stand-in (TestData/README.md), an
/// untrained contract-v1 LSTM optimizer (valid but a poor optimizer) exported with the interop exporter,
/// and a file that is not an ONNX model.
/// </summary>
public sealed class OptimizerFiles : IDisposable
{
    private readonly TempDirectory folder = new();

    public OptimizerFiles()
    {
        torch.random.manual_seed(11);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(2, 20, 10.0, 0.1));
        Untrained = folder.File("untrained.onnx");
        LstmOptimizerExporter.Save(network, Untrained, new ExportMetadata { TrainedOn = "nothing (untrained, for tests)" });
        NotOnnx = folder.File("not-an-optimizer.onnx");
        System.IO.File.WriteAllText(NotOnnx, "this is not an ONNX model");
    }

    /// <summary>The quadratic-trained stand-in for models/general.onnx.</summary>
    public static string Quadratic { get; } = Path.Combine(AppContext.BaseDirectory, "MLNet", "TestData", "quadratic-standin.onnx");

    /// <summary>An untrained 2x20 LSTM optimizer (contract v1).</summary>
    public string Untrained { get; }

    /// <summary>A text file named like an optimizer.</summary>
    public string NotOnnx { get; }

    /// <summary>A path in the temp folder for files a test writes.</summary>
    public string File(string name) => folder.File(name);

    public void Dispose() => folder.Dispose();
}
