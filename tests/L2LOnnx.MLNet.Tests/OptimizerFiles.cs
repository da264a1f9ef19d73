using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using TorchSharp;

namespace L2LOnnx.MLNet.Tests;

/// <summary>
/// Optimizer files the ML.NET tests train with: the shipped general default and quadratic optimizer, an
/// untrained contract-v1 LSTM optimizer (valid but a poor optimizer) exported with the trainer's exporter,
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

    /// <summary>The shipped optimizer meta-trained on quadratics (models/quadratic.onnx): a working optimizer that is not the default.</summary>
    public static string Quadratic { get; } = Path.Combine(AppContext.BaseDirectory, "models", "quadratic.onnx");

    /// <summary>The shipped general default (models/general.onnx), meta-trained on the kind of tasks ML.NET trains.</summary>
    public static string General { get; } = Path.Combine(AppContext.BaseDirectory, "models", "general.onnx");

    /// <summary>An untrained 2x20 LSTM optimizer (contract v1).</summary>
    public string Untrained { get; }

    /// <summary>A text file named like an optimizer.</summary>
    public string NotOnnx { get; }

    /// <summary>A path in the temp folder for files a test writes.</summary>
    public string File(string name) => folder.File(name);

    public void Dispose() => folder.Dispose();
}
