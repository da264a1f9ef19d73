using L2LOnnx.Train.Conformance;
using L2LOnnx.Train.Inspection;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Optimizers;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>
/// interop/pytorch/export_lstm_optimizer.py builds the optimizer in PyTorch and exports it with
/// torch.onnx.export; our runtime reproduces PyTorch's own outputs, and the file imports into TorchSharp.
/// </summary>
public sealed class PyTorchInteropTests
{
    [PyTorchFact]
    public void TheRuntimeReproducesPyTorchsOutputs()
    {
        using var temp = new TempDirectory();
        var (model, vectors) = Export(temp, "--layers", "2", "--hidden", "20", "--output-scale", "0.1", "--seed", "4");

        var reports = ModelConformance.Check(vectors);

        // Both engines: the script's graph is the exporter's, so the fused engine recognises it too.
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.True(r.Passed && r.NotRun is null, r.ToString()));
        Assert.StartsWith("PyTorch ", ConformanceFile.Load(vectors).Producer);
        var inspection = ModelInspection.Of(model);
        Assert.True(inspection.WeightsHashMatches, "the script's l2l.weights_sha256 must follow InitializerHash");
        Assert.Equal(2, inspection.Operators.Single(o => o.Key == "LSTM").Value);
    }

    [PyTorchFact]
    public void ThePyTorchFileImportsIntoTorchSharpAndBehavesTheSame()
    {
        using var temp = new TempDirectory();
        var (model, vectors) = Export(temp, "--layers", "1", "--hidden", "5", "--no-preprocessing", "--output-scale", "1.0", "--seed", "9");

        using var imported = LstmOptimizerImporter.Import(model);
        using var engine = new TorchSharpConformanceEngine(imported.Network);
        var report = ConformanceReplay.Run(ConformanceFile.Load(vectors), engine);

        Assert.Equal(new LstmOptimizerConfig(1, 5, null, 1.0), imported.Network.Config);
        Assert.True(report.Passed, report.ToString());
        Assert.StartsWith("PyTorch ", imported.Provenance.Details[LstmMetadataKeys.ImportedFrom]);
    }

    [PyTorchFact]
    public void PyTorchToTorchSharpToOnnxKeepsPyTorchsBehaviour()
    {
        using var temp = new TempDirectory();
        var (model, vectors) = Export(temp, "--layers", "3", "--hidden", "4", "--preprocessing-p", "5", "--output-scale", "0.01", "--seed", "2");
        var reexported = temp.File("reexported.onnx");
        using (var imported = LstmOptimizerImporter.Import(model))
            LstmOptimizerExporter.Save(imported.Network, reexported, imported.Provenance);

        using var runtime = LearnedOptimizer.Load(reexported);
        using var engine = new RuntimeConformanceEngine(runtime, "runtime on the re-exported file");
        var report = ConformanceReplay.Run(ConformanceFile.Load(vectors), engine);

        Assert.True(report.Passed, report.ToString());
    }

    private static (string Model, string Vectors) Export(TempDirectory temp, params string[] shape)
    {
        var script = Path.Combine(DebianPython.RepositoryRoot(), "interop", "pytorch", "export_lstm_optimizer.py");
        var model = temp.File("pytorch.onnx");
        var vectors = ConformanceFile.DefaultPath(model);
        var (exitCode, output, error) = DebianPython.Run([script, "--out", model, "--vectors", vectors, "--coordinates", "32", "--steps", "12", .. shape]);
        Assert.True(exitCode == 0, $"the PyTorch script failed:\n{output}\n{error}");
        Assert.Contains("passes onnx.checker full_check", output);
        return (model, vectors);
    }
}
