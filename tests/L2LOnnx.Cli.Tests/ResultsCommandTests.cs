using L2LOnnx.Cli.Commands;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;

namespace L2LOnnx.Cli.Tests;

/// <summary><c>l2l evaluate</c> and <c>l2l results</c> write the protocol's tables, figures (PNG and SVG) and CSV.</summary>
public sealed class ResultsCommandTests
{
    [Fact]
    public void EvaluateWritesTheProtocolTableFiguresAndCsv()
    {
        using var temp = new TempDirectory();
        var model = Untrained(temp.File("quadratic.onnx"));
        var result = EvaluateCommand.Run(new EvaluateCommand.Settings([model], new ProblemSpec(), HeldOutDefinition.FreshSeeds, Problems: 5, TuningProblems: 3,
            Horizons: [4, 12], Horizon: null, temp.File("out"), Seed: 1, Threads: 1, Cache: null));

        var text = File.ReadAllText(temp.File("out/results.md"));
        foreach (var horizon in new[] { 4, 12 })
        {
            var table = text[text.IndexOf($"**At {horizon} steps", StringComparison.Ordinal)..];
            var rows = table.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).Take(5).ToArray();
            Assert.Equal(["**learned** (quadratic.onnx)", "SGD", "NAG", "RMSprop", "Adam"], rows.Select(r => r.Split('|')[1].Trim()));
            foreach (var (row, kind) in rows.Skip(1).Zip(Enum.GetValues<BaselineKind>()))
                Assert.Equal($"{result.Paired(kind, horizon).Wins} of 5", row.Split('|')[6].Trim());
            Assert.True(File.Exists(temp.File($"out/evaluation-{horizon}.png")));
            Assert.True(File.Exists(temp.File($"out/evaluation-{horizon}.svg")));
        }
        Assert.Equal(13, File.ReadAllLines(temp.File("out/curves.csv")).Length - 1);
    }

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

    private static string Untrained(string path)
    {
        torch.random.manual_seed(3);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1));
        LstmOptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "untrained" });
        return path;
    }
}
