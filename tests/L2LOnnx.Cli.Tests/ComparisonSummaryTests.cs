using L2LOnnx.Cli.MlNetComparison;

namespace L2LOnnx.Cli.Tests;

/// <summary>
/// <see cref="ComparisonSummary"/>: the verdict against tuned Adam asks for both metrics, and the distance
/// from ML.NET's best is printed as a plain signed number.
/// </summary>
public sealed class ComparisonSummaryTests
{
    private static ComparisonRow Classifier(string trainer, TrainerRole role, double accuracy, double logLoss, double? rate = null) =>
        new("task", trainer, [("accuracy", accuracy), ("log-loss", logLoss)], 1) { Role = role, Epochs = 10, LearningRate = rate };

    private static string Line(params ComparisonRow[] rows) =>
        ComparisonSummary.Markdown(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries)[2];

    [Fact]
    public void HigherAccuracyWithAHigherLogLossIsWorseThanAdam()
    {
        var line = Line(
            Classifier("learned", TrainerRole.Learned, 0.8455, 0.4468),
            Classifier("adam", TrainerRole.TunedAdam, 0.8438, 0.4406, 3e-4),
            Classifier("lbfgs", TrainerRole.MlNet, 0.8458, 0.4362));

        Assert.Contains("| 0.846 / 0.4468 | 0.844 / 0.4406 (lr 0.0003) | 0.846 / 0.4362 (lbfgs) | worse |", line);
    }

    [Fact]
    public void BetterOnBothIsAtLeastAsGoodAndADistanceThatRoundsToZeroPrintsAsZero()
    {
        var line = Line(
            Classifier("learned", TrainerRole.Learned, 0.8455, 0.43),
            Classifier("adam", TrainerRole.TunedAdam, 0.8438, 0.44, 1e-3),
            Classifier("lbfgs", TrainerRole.MlNet, 0.8458, 0.4362),
            Classifier("sdca", TrainerRole.MlNet, 0.8371, 0.4718));

        Assert.Contains("| at least as good | 0.0 points of accuracy |", line);
    }

    [Fact]
    public void OneSeedKeepsTheSingleRunSummaryWhateverTheSeed()
    {
        // The runner stamps every row with its seed; one seed (--seeds 1) must still give the single-run table.
        ComparisonRow[] rows =
        [
            Classifier("learned", TrainerRole.Learned, 0.8455, 0.4468) with { Seed = 5 },
            Classifier("adam", TrainerRole.TunedAdam, 0.8438, 0.4406, 3e-4) with { Seed = 5 },
            Classifier("lbfgs", TrainerRole.MlNet, 0.8458, 0.4362) with { Seed = 5 },
        ];

        Assert.Equal(
            "| task | --epochs | learned: test accuracy / log-loss (R²) | same trainer, Adam (lr picked on validation) | ML.NET's best trainer | learned vs Adam | learned vs ML.NET best |\n" +
            "|---|---:|---:|---:|---:|---|---|\n" +
            "| task | 10 | 0.846 / 0.4468 | 0.844 / 0.4406 (lr 0.0003) | 0.846 / 0.4362 (lbfgs) | worse | 0.0 points of accuracy |\n",
            ComparisonSummary.Markdown(rows));
        Assert.DoesNotContain("± SE", ComparisonSummary.Markdown([.. rows, Classifier("learned", TrainerRole.Learned, 0.85, 0.44) with { Seed = 5, Task = "other" }]));
        Assert.Contains("± SE", ComparisonSummary.Markdown([.. rows, Classifier("learned", TrainerRole.Learned, 0.85, 0.44) with { Seed = 6 }]));
    }

    [Fact]
    public void RegressionIsJudgedByRSquaredAndRmse()
    {
        ComparisonRow Regressor(string trainer, TrainerRole role, double rmse, double r2) =>
            new("diabetes", trainer, [("RMSE", rmse), ("R²", r2)], 1) { Role = role, Epochs = 10 };

        var line = Line(
            Regressor("learned", TrainerRole.Learned, 53.9453, 0.5190),
            Regressor("adam", TrainerRole.TunedAdam, 54.0322, 0.5175),
            Regressor("sdca", TrainerRole.MlNet, 53.8624, 0.5206));

        Assert.Contains("| at least as good | R² -0.002 |", line);
    }
}
