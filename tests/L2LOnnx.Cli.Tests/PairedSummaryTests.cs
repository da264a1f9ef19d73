using System.Globalization;
using L2LOnnx.Cli.MlNetComparison;

namespace L2LOnnx.Cli.Tests;

/// <summary>
/// <see cref="ComparisonSummary"/> over several seeds (<see cref="PairedSummary"/>): one row per task and
/// epochs with the means, the paired differences ± SE, the wins, the verdict by the means with its noise
/// note, ML.NET's best by mean, and every failed row shown.
/// </summary>
public sealed class PairedSummaryTests
{
    private static ComparisonRow Row(int seed, string trainer, TrainerRole role, double accuracy, double logLoss, double? rate = null) =>
        new("task", trainer, [("accuracy", accuracy), ("log-loss", logLoss)], 1) { Role = role, Epochs = 10, Seed = seed, LearningRate = rate };

    /// <summary>Three seeds of learned, Adam and one ML.NET trainer, from per-seed accuracies and log-losses.</summary>
    private static List<ComparisonRow> ThreeSeeds(double[] learnedAccuracy, double[] learnedLoss, double[] adamAccuracy, double[] adamLoss) =>
    [
        .. Enumerable.Range(0, 3).SelectMany(i => new[]
        {
            Row(i + 1, "learned", TrainerRole.Learned, learnedAccuracy[i], learnedLoss[i]),
            Row(i + 1, "adam", TrainerRole.TunedAdam, adamAccuracy[i], adamLoss[i], i == 2 ? 1e-3 : 3e-3),
            Row(i + 1, "same trainer, SGD", TrainerRole.Other, 0.5, 2.0),
            Row(i + 1, "lbfgs", TrainerRole.MlNet, 0.90, 0.35),
        }),
    ];

    /// <summary>The cells of the summary's one data row (the task name holds no <c>|</c>).</summary>
    private static string[] Cells(IReadOnlyList<ComparisonRow> rows)
    {
        var lines = ComparisonSummary.Markdown(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        return lines[2].Trim('|', ' ').Split(" | ");
    }

    private static double StandardError(double[] d)
    {
        var mean = d.Average();
        return Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1)) / Math.Sqrt(d.Length);
    }

    [Fact]
    public void TheHeaderNamesThePairedColumns()
    {
        var header = ComparisonSummary.Markdown(ThreeSeeds([0.9, 0.9, 0.9], [0.3, 0.3, 0.3], [0.9, 0.9, 0.9], [0.3, 0.3, 0.3])).Split('\n')[0];

        Assert.Contains("| seeds paired |", header);
        Assert.Contains("| learned − Adam: accuracy (R²), mean ± SE | learned − Adam: log-loss (RMSE), mean ± SE |", header);
        Assert.Contains("| wins: learned's loss lower |", header);
        Assert.Contains("| failed rows |", header);
    }

    [Fact]
    public void AConsistentlyBetterLearnedTrainerIsAtLeastAsGoodAndNotNoise()
    {
        double[] la = [0.914, 0.906, 0.905], ll = [0.300, 0.318, 0.322], aa = [0.910, 0.900, 0.900], al = [0.310, 0.330, 0.330];
        var cells = Cells(ThreeSeeds(la, ll, aa, al));

        var dq = la.Zip(aa, (l, a) => l - a).ToArray();
        var dl = ll.Zip(al, (l, a) => l - a).ToArray();
        string Expected(double[] d) => string.Create(CultureInfo.InvariantCulture, $"{d.Average():+0.0000;-0.0000} ± {StandardError(d):0.0000}");
        Assert.Equal("3 of 3", cells[2]);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{la.Average():0.0000} / {ll.Average():0.0000}"), cells[3]);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{aa.Average():0.0000} / {al.Average():0.0000} (lr 0.003 x2, 0.001 x1)"), cells[4]);
        Assert.Equal(Expected(dq), cells[5]);
        Assert.Equal(Expected(dl), cells[6]);
        Assert.Equal("3 of 3", cells[7]);
        Assert.Equal("at least as good", cells[8]);
        Assert.Equal("0.9000 / 0.3500 (lbfgs)", cells[9]);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{100 * (la.Average() - 0.90):+0.0} points of accuracy"), cells[10]);
        Assert.Equal("none", cells[11]);
    }

    [Fact]
    public void DifferencesWithinTwoStandardErrorsAreATieWithinNoiseWhicheverWayTheMeansGo()
    {
        // Learned's mean loss is lower but its mean accuracy too: "worse" by today's rule, yet the seeds disagree.
        double[] la = [0.910, 0.890, 0.905], ll = [0.300, 0.350, 0.310], aa = [0.900, 0.905, 0.903], al = [0.320, 0.330, 0.312];
        var dq = la.Zip(aa, (l, a) => l - a).ToArray();
        var dl = ll.Zip(al, (l, a) => l - a).ToArray();
        Assert.True(dq.Average() < 0 && dl.Average() < 0); // the premise: worse on accuracy, better on log-loss
        Assert.True(Math.Abs(dq.Average()) <= 2 * StandardError(dq) && Math.Abs(dl.Average()) <= 2 * StandardError(dl));

        var cells = Cells(ThreeSeeds(la, ll, aa, al));

        Assert.Equal("worse (tie within noise: both differences within 2 SE of 0)", cells[8]);
        Assert.Equal("2 of 3", cells[7]);
    }

    [Fact]
    public void OneDifferenceOutsideTwoStandardErrorsIsNoTie()
    {
        // Accuracy differences scatter around zero, but learned's loss is higher on every seed by about the same.
        double[] la = [0.910, 0.890, 0.905], ll = [0.331, 0.352, 0.322], aa = [0.900, 0.905, 0.903], al = [0.320, 0.340, 0.312];
        var dl = ll.Zip(al, (l, a) => l - a).ToArray();
        Assert.True(dl.Average() > 2 * StandardError(dl));

        var cells = Cells(ThreeSeeds(la, ll, aa, al));

        Assert.Equal("worse", cells[8]);
        Assert.Equal("0 of 3", cells[7]);
    }

    [Fact]
    public void AFailedSeedIsCountedAndShownAndTheMeansAreOverThePairedSeeds()
    {
        var rows = ThreeSeeds([0.91, 0.92, 0.93], [0.30, 0.29, 0.28], [0.90, 0.91, 0.92], [0.31, 0.30, 0.29]);
        rows[rows.FindIndex(r => r.Seed == 2 && r.Role == TrainerRole.TunedAdam)] =
            new("task", "adam", [], 1, "diverged") { Role = TrainerRole.TunedAdam, Epochs = 10, Seed = 2, LearningRate = 3e-3 };

        var cells = Cells(rows);

        Assert.Equal("2 of 3", cells[2]);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{(0.91 + 0.93) / 2:0.0000} / {(0.30 + 0.28) / 2:0.0000}"), cells[3]);
        // The rate Adam picked still counts: it was picked on validation before the full fit diverged.
        Assert.EndsWith("(lr 0.003 x2, 0.001 x1)", cells[4]);
        Assert.Equal("2 of 2", cells[7]);
        Assert.Equal("Adam diverged on 1 of 3 seeds (2)", cells[11]);
    }

    [Fact]
    public void OnePairedSeedGivesADifferenceWithoutStandardError()
    {
        var rows = ThreeSeeds([0.91, 0.92, 0.93], [0.30, 0.29, 0.28], [0.90, 0.91, 0.92], [0.31, 0.30, 0.29])
            .Select(r => r.Role == TrainerRole.Learned && r.Seed != 1 ? new ComparisonRow("task", "learned", [], 1, "diverged") { Role = r.Role, Epochs = 10, Seed = r.Seed } : r)
            .ToList();

        var cells = Cells(rows);

        Assert.Equal("1 of 3", cells[2]);
        Assert.Equal("+0.0100 (one seed: no SE)", cells[5]);
        Assert.Equal("at least as good", cells[8]);
        Assert.Equal("learned diverged on 2 of 3 seeds (2, 3)", cells[11]);
    }

    [Fact]
    public void RegressionIsPairedOnRSquaredAndRmse()
    {
        ComparisonRow Regressor(int seed, string trainer, TrainerRole role, double rmse, double r2) =>
            new("diabetes", trainer, [("RMSE", rmse), ("R²", r2)], 1) { Role = role, Epochs = 10, Seed = seed, LearningRate = role == TrainerRole.TunedAdam ? 1e-2 : null };
        ComparisonRow[] rows =
        [
            Regressor(1, "learned", TrainerRole.Learned, 54.0, 0.520), Regressor(1, "adam", TrainerRole.TunedAdam, 54.5, 0.510), Regressor(1, "sdca", TrainerRole.MlNet, 53.0, 0.530),
            Regressor(2, "learned", TrainerRole.Learned, 56.0, 0.500), Regressor(2, "adam", TrainerRole.TunedAdam, 56.0, 0.502), Regressor(2, "sdca", TrainerRole.MlNet, 55.0, 0.514),
        ];

        var cells = Cells(rows);

        Assert.Equal("0.5100 / 55.0000", cells[3]);
        Assert.Equal("0.5060 / 55.2500 (lr 0.01 x2)", cells[4]);
        Assert.Equal("1 of 2", cells[7]); // equal RMSE on seed 2 is no win
        Assert.Equal("R² -0.012", cells[10]);
    }
}
