using System.Text.RegularExpressions;
using L2LOnnx.Cli.Commands;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using TorchSharp;

namespace L2LOnnx.Cli.Tests;

/// <summary><c>l2l results</c> writes a report with a row per optimizer and a verdict computed from the table.</summary>
public sealed class ResultsCommandTests
{
    [Fact]
    public void ResultsWritesARowPerOptimizerAndAComputedVerdict()
    {
        using var temp = new TempDirectory();
        var models = Directory.CreateDirectory(temp.File("models")).FullName;
        torch.random.manual_seed(3);
        using (var network = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1)))
            LstmOptimizerExporter.Save(network, Path.Combine(models, "quadratic.onnx"), new ExportMetadata { TrainedOn = "untrained" });

        var path = ResultsCommand.Write(new ResultsReport.Settings(models, temp.File("docs"), Problems: 2, Steps: 4, Seed: 1, Threads: 1));

        var text = File.ReadAllText(path);
        var section = text[text.IndexOf("## Quadratics", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", StringComparison.Ordinal)];
        var rows = section.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| optimizer", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["learned (quadratic.onnx)", "SGD", "NAG", "RMSprop", "Adam"], rows.Select(r => r.Split('|')[1].Trim()));
        Assert.All(rows.Skip(1), r => Assert.Matches(@"^\| \w+ \| [0-9.e-]+ \|", r));
        Assert.True(File.Exists(Path.Combine(temp.File("docs"), "results", "quadratic.png")));
        Assert.Contains("Skipped: " + Path.Combine(models, "mnist-mlp.onnx"), text);
        Assert.Contains("Skipped: " + Path.Combine(models, "general.onnx"), text);

        // The verdict agrees with the table: wins exactly when the learned mean at the horizon is the lowest.
        var means = rows.Select(r => double.Parse(r.Split('|')[3], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var wins = means[0] <= means.Skip(1).Min();
        Assert.Contains(wins ? "The learned optimizer wins" : "The learned optimizer loses", section);
        var ratio = double.Parse(Regex.Match(section, @"is ([0-9.]+)x (lower|higher) than the best").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        // The table shows 4 significant digits, the sentence's ratio comes from the unrounded means.
        var expected = wins ? means.Skip(1).Min() / means[0] : means[0] / means.Skip(1).Min();
        Assert.InRange(ratio / expected, 0.99, 1.01);
    }
}
