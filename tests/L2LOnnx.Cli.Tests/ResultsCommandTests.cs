using L2LOnnx.Cli.Commands;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;

namespace L2LOnnx.Cli.Tests;

/// <summary><c>l2l results</c> draws the protocol's figures (PNG and SVG) per experiment and horizon.</summary>
public sealed class ResultsCommandTests
{
    [Fact]
    public void ResultsDrawAFigurePerHorizonAsPngAndSvg()
    {
        using var temp = new TempDirectory();
        var models = Directory.CreateDirectory(temp.File("models")).FullName;
        Untrained(Path.Combine(models, "quadratic.onnx"));
        var protocol = new ProtocolSettings { QuadraticProblems = 4, QuadraticTuningProblems = 4, Grid = [1e-2, 1e-1], CacheDirectory = temp.File("cache") };

        var path = ResultsCommand.Write(new ResultsReport.Settings(models, temp.File("docs"), protocol, Jobs: 1, Only: ["quadratic"], Horizons: [3, 6]))!;

        Assert.Contains("## Quadratics (10-d, paper figure 2)", File.ReadAllText(path));
        foreach (var file in new[] { "quadratic-3.png", "quadratic-3.svg", "quadratic-6.png", "quadratic-6.svg" })
            Assert.True(File.Exists(Path.Combine(temp.File("docs"), "results", file)), file);
    }

    internal static string Untrained(string path)
    {
        torch.random.manual_seed(3);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1));
        LstmOptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "untrained" });
        return path;
    }
}
