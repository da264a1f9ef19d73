using L2LOnnx.Cli.MlNetComparison;
using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.Tests;

/// <summary>
/// <see cref="PairedOverSeeds"/> and <see cref="MeanAndStandardError"/>: learned and Adam are paired by seed,
/// the standard error is the sample standard deviation over √n, and a failed row drops its seed from the
/// pairs (and is listed) rather than being averaged.
/// </summary>
public sealed class PairedOverSeedsTests
{
    private static ComparisonRow Row(int seed, string trainer, TrainerRole role, double accuracy, double logLoss, double? rate = null) =>
        new("task", trainer, [("accuracy", accuracy), ("log-loss", logLoss)], 1) { Role = role, Epochs = 10, Seed = seed, LearningRate = rate };

    [Fact]
    public void TheStandardErrorIsTheSampleStandardDeviationOverRootN()
    {
        var result = MeanAndStandardError.From(PairedComparison.Compute([1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]));

        // By hand: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; sample variance 5 / 3; SE = √(5/3) / √4.
        Assert.Equal(2.5, result.Mean, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3) / 2, result.StandardError, 12);
        Assert.Equal(4, result.Count);
        Assert.False(result.WithinTwoStandardErrorsOfZero);
    }

    [Fact]
    public void OneValueHasAMeanButNoStandardErrorAndIsNeverCalledNoise()
    {
        var result = MeanAndStandardError.From(PairedComparison.Compute([0.0], [0.0]));

        Assert.Equal(0, result.Mean);
        Assert.True(double.IsNaN(result.StandardError));
        Assert.False(result.WithinTwoStandardErrorsOfZero);
        Assert.Equal(0, MeanAndStandardError.None.Count);
    }

    [Fact]
    public void DifferencesArePairedBySeedNotByOrder()
    {
        double[] learnedLoss = [0.30, 0.40, 0.35], adamLoss = [0.31, 0.38, 0.36];
        double[] learnedAccuracy = [0.91, 0.88, 0.90], adamAccuracy = [0.905, 0.89, 0.897];
        // Adam's rows come in reverse seed order: pairing by position would mix the seeds up.
        var rows = Enumerable.Range(0, 3).Select(i => Row(i + 1, "learned", TrainerRole.Learned, learnedAccuracy[i], learnedLoss[i]))
            .Concat(Enumerable.Range(0, 3).Reverse().Select(i => Row(i + 1, "adam", TrainerRole.TunedAdam, adamAccuracy[i], adamLoss[i], i == 1 ? 1e-3 : 3e-3)));

        var c = PairedOverSeeds.Compare(rows);

        var d = learnedLoss.Zip(adamLoss, (l, a) => l - a).ToArray();
        var mean = d.Average();
        var se = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1)) / Math.Sqrt(d.Length);
        Assert.Equal(mean, c.LossDifference.Mean, 12);
        Assert.Equal(se, c.LossDifference.StandardError, 12);
        Assert.Equal(learnedAccuracy.Zip(adamAccuracy, (l, a) => l - a).Average(), c.QualityDifference.Mean, 12);
        Assert.Equal(learnedLoss.Average(), c.Learned!.Loss, 12);
        Assert.Equal(adamAccuracy.Average(), c.Adam!.Quality, 12);
        Assert.Equal(2, c.Wins); // seeds 1 and 3
        Assert.Equal([1, 2, 3], c.PairedSeeds);
        Assert.Equal([(3e-3, 2), (1e-3, 1)], c.AdamRates);
        Assert.Empty(c.Failed);
    }

    [Fact]
    public void AFailedSeedIsListedAndLeftOutOfBothTrainersMeans()
    {
        ComparisonRow[] rows =
        [
            Row(1, "learned", TrainerRole.Learned, 0.90, 0.30), Row(1, "adam", TrainerRole.TunedAdam, 0.89, 0.32, 1e-3),
            new("task", "learned", [], 1, "diverged") { Role = TrainerRole.Learned, Epochs = 10, Seed = 2 },
            Row(2, "adam", TrainerRole.TunedAdam, 0.50, 0.90, 1e-3),
            Row(3, "learned", TrainerRole.Learned, 0.92, 0.28), Row(3, "adam", TrainerRole.TunedAdam, 0.91, 0.29, 1e-3),
        ];

        var c = PairedOverSeeds.Compare(rows);

        Assert.Equal([1, 2, 3], c.Seeds);
        Assert.Equal([1, 3], c.PairedSeeds);
        // Seed 2's Adam row ran, but has no learned partner: averaging it in would compare different seeds.
        Assert.Equal((0.89 + 0.91) / 2, c.Adam!.Quality, 12);
        Assert.Equal((0.30 + 0.28) / 2, c.Learned!.Loss, 12);
        Assert.Equal(2, c.LossDifference.Count);
        var failed = Assert.Single(c.Failed);
        Assert.Equal((2, "diverged"), (failed.Seed, failed.Error));
        Assert.True(c.AtLeastAsGood);
    }

    [Fact]
    public void MlNetsBestIsTheHighestMeanNotTheBestSingleSeed()
    {
        ComparisonRow[] rows =
        [
            Row(1, "learned", TrainerRole.Learned, 0.90, 0.30), Row(2, "learned", TrainerRole.Learned, 0.90, 0.30),
            Row(1, "adam", TrainerRole.TunedAdam, 0.90, 0.30, 1e-3), Row(2, "adam", TrainerRole.TunedAdam, 0.90, 0.30, 1e-3),
            Row(1, "lbfgs", TrainerRole.MlNet, 0.95, 0.25), Row(2, "lbfgs", TrainerRole.MlNet, 0.80, 0.45),
            Row(1, "sdca", TrainerRole.MlNet, 0.89, 0.31), Row(2, "sdca", TrainerRole.MlNet, 0.89, 0.31),
            new("task", "sgd", [], 1, "diverged") { Role = TrainerRole.MlNet, Epochs = 10, Seed = 1 },
            Row(2, "sgd", TrainerRole.MlNet, 0.99, 0.10),
        ];

        var c = PairedOverSeeds.Compare(rows);

        // sgd's one good seed is its mean over the seeds it ran on; its failure is listed, not averaged as zero.
        Assert.Equal("sgd", c.BestMlNet!.Trainer);
        Assert.Equal(1, c.BestMlNet.Seeds);
        Assert.Equal("sgd", Assert.Single(c.Failed).Trainer);
        var withoutSgd = PairedOverSeeds.Compare(rows.Where(r => r.Trainer != "sgd"));
        Assert.Equal(("sdca", 0.89), (withoutSgd.BestMlNet!.Trainer, withoutSgd.BestMlNet.Quality));
    }
}
