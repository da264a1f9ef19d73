using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.Tests;

/// <summary><c>l2l evaluate</c> end to end on a few quadratics: progress with ETA, long-format CSV, PNG and SVG figures.</summary>
public sealed class EvaluateCommandTests
{
    [Fact]
    public async Task EvaluateShowsProgressAndWritesLongCsvAndFigures()
    {
        using var temp = new TempDirectory();

        var result = await Cli.Run("evaluate", "--model", ShippedModels.PathOf("quadratic.onnx"), "--problems", "3", "--steps", "4", "--threads", "1", "--out", temp.Path);

        Assert.Equal(0, result.ExitCode);
        var runs = 1 + Enum.GetValues<BaselineKind>().Length * (BaselineTuning.DefaultGrid.Count + 1);
        // Redirected output gets plain progress lines, the last one at the last run, each with elapsed time and ETA.
        Assert.Matches($@"evaluate: run {runs}/{runs} \(Adam\(lr=[0-9.e-]+\)\)  elapsed \d+:\d\d:\d\d  ETA 0:00:00", result.Output);
        var csv = File.ReadAllLines(temp.File("curves.csv"));
        Assert.Equal(LossCurvesCsv.Header, csv[0]);
        Assert.Equal(5 * (4 + 1) * LossCurvesCsv.Statistics.Count, csv.Length - 1);
        Assert.StartsWith("0,\"learned\",mean,", csv[1]);
        foreach (var figure in new[] { "loss-curves", "loss-curves-median" })
        {
            Assert.True(new FileInfo(temp.File(figure + ".png")).Length > 0);
            Assert.Contains("<svg", File.ReadAllText(temp.File(figure + ".svg")));
        }
    }
}
