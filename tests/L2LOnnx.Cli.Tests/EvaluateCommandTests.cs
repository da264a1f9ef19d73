using L2LOnnx.Cli.Commands;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Cli.Tests;

/// <summary><c>l2l evaluate</c> end to end on a few quadratics: the protocol's tables, progress, long-format CSV, PNG and SVG figures.</summary>
public sealed class EvaluateCommandTests
{
    [Fact]
    public void EvaluateWritesTheProtocolTableFiguresAndCsv()
    {
        using var temp = new TempDirectory();
        var model = ResultsCommandTests.Untrained(temp.File("quadratic.onnx"));
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
        var csv = File.ReadAllLines(temp.File("out/curves.csv"));
        Assert.Equal(LossCurvesCsv.Header, csv[0]);
        Assert.StartsWith("0,\"learned\",mean,", csv[1]);
        // One curve per run: the learned optimizer's and each baseline's at each of its tuned rates.
        Assert.Equal(1 + result.Baselines.Sum(b => b.Runs.Count), csv.Skip(1).Select(l => l.Split(',')[1]).Distinct().Count());
    }

    [Fact]
    public async Task EvaluateShowsProgressOnTheCommandLine()
    {
        using var temp = new TempDirectory();
        var model = ResultsCommandTests.Untrained(temp.File("quadratic.onnx"));

        var result = await Cli.Run("evaluate", "--model", model, "--problems", "3", "--tuning-problems", "3", "--steps", "4", "--threads", "1", "--out", temp.File("out"));

        Assert.Equal(0, result.ExitCode);
        // Redirected output gets plain progress lines with elapsed time and ETA.
        Assert.Matches(@"evaluate: run \d+/\d+ \(evaluation: [^)]+\)*\)  elapsed \d+:\d\d:\d\d  ETA \d+:\d\d:\d\d", result.Output);
        Assert.Contains("**At 4 steps", result.Output);
    }
}
