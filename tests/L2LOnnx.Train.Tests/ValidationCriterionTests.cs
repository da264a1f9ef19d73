using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// <see cref="ValidationCriterion.Horizons"/>: validation scores the log of the mean loss over the last tenth of
/// the steps before T and before V, the rollback compares in log space, a mixture's scores split by member, and
/// the choice is recorded only when it is not the default.
/// </summary>
public sealed class ValidationCriterionTests
{
    public ValidationCriterionTests() => TorchModules.UseOneThread();

    [Fact]
    public void HorizonsScoresTheLogOfTheFinalTenthAtTAndAtV()
    {
        // T = 10, V = 30: windows (9, 10] (one step) and (27, 30] (three steps).
        var options = new MetaTrainingOptions { TrajectoryLength = 10, UnrollLength = 5, ValidationSteps = 30, Validation = ValidationCriterion.Horizons };
        var losses = new float[31, 2];
        for (var t = 0; t <= 30; t++)
        {
            losses[t, 0] = 1f / (t + 1);
            losses[t, 1] = 2f;
        }

        var scores = options.ProblemScores(losses);

        var window = (1.0 / 29 + 1.0 / 30 + 1.0 / 31) / 3;
        Assert.Equal((Math.Log(1.0 / 11) + Math.Log(window)) / 2, scores[0], 5);
        Assert.Equal(Math.Log(2), scores[1], 5);
        Assert.Equal([10, 30], options.ScoredHorizons());
        Assert.Equal([10], (options with { ValidationSteps = null }).ScoredHorizons());
    }

    [Fact]
    public void HorizonsIsLogarithmicWhateverTheObjectiveAndANaNStaysNaN()
    {
        var options = new MetaTrainingOptions { TrajectoryLength = 10, UnrollLength = 10, Validation = ValidationCriterion.Horizons };
        var losses = new float[11, 2];
        for (var t = 0; t <= 10; t++) { losses[t, 0] = 0.5f; losses[t, 1] = 0.5f; }
        losses[10, 1] = float.NaN;

        var scores = options.ProblemScores(losses);
        var logged = (options with { Objective = MetaObjective.LogLoss }).ProblemScores(losses);

        Assert.Equal(Math.Log(0.5), scores[0], 6);
        Assert.Equal(scores[0], logged[0]);
        Assert.True(double.IsNaN(scores[1]));
        // The default criterion reads every step: ten steps of 0.5.
        Assert.Equal(5.0, (options with { Validation = ValidationCriterion.Trajectory }).ProblemScores(losses)[0], 6);
    }

    [Fact]
    public void TheRolloutScoresAreTheRolloutLossesScored()
    {
        using var family = new QuadraticFamily(4);
        using var generator = new Generator(31);
        using var problems = family.Sample(3, generator);
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1))), 4, seed: 5);
        var options = new MetaTrainingOptions { TrajectoryLength = 4, UnrollLength = 2, ValidationSteps = 20, Validation = ValidationCriterion.Horizons };

        var losses = Rollout.Losses(optimizer, problems, 20);
        var expected = Enumerable.Range(0, 3).Select(p => (Math.Log(losses[4, p]) + Math.Log((losses[19, p] + losses[20, p]) / 2.0)) / 2).ToArray();
        var scores = Rollout.ProblemScores(optimizer, problems, options);

        for (var p = 0; p < 3; p++) Assert.Equal(expected[p], scores[p], 4);
        Assert.Equal(scores.Average(), Rollout.MetaLoss(optimizer, problems, options), 6);
    }

    [Fact]
    public void TheRollbackFactorBoundsTheGeometricMeanOfTheFinalLosses()
    {
        var options = new MetaTrainingOptions { TrajectoryLength = 4, UnrollLength = 4, RollbackFactor = 2, Validation = ValidationCriterion.Horizons };

        Assert.False(options.IsCollapse(-3 + Math.Log(2) - 1e-9, -3));
        Assert.True(options.IsCollapse(-3 + Math.Log(2) + 1e-9, -3));
        Assert.True(options.IsCollapse(double.NaN, -3));
        Assert.Equal(1, options.LogScoreWeight());
        Assert.Equal(4, (options with { Validation = ValidationCriterion.Trajectory, Objective = MetaObjective.LogLoss }).LogScoreWeight());
    }

    [Fact]
    public void AMixturesValidationRowsAreNamedByMemberAsTheSampleDealsThem()
    {
        using var mixture = new MixtureFamily("pair",
            [LinearModelFamily.Synthetic(LinearModelLoss.Squared, new SyntheticDataConfig { Features = 3 }),
             LinearModelFamily.Synthetic(LinearModelLoss.Squared, new SyntheticDataConfig { Features = 7 })]);
        using var generator = new Generator(32);
        using var batch = mixture.Sample(5, generator);
        using var theta = batch.InitialParameters();

        var names = mixture.MemberNamesOf(5);

        // The padded rows of the smaller member are zero past its dimension; the larger member's are not.
        var small = mixture.Members[0].Name;
        Assert.Equal([small, small, small, mixture.Members[1].Name, mixture.Members[1].Name], names);
        for (var row = 0; row < 5; row++)
        {
            var padding = theta[row].narrow(0, mixture.Members[0].Dimension, mixture.Dimension - mixture.Members[0].Dimension).abs().sum().item<float>();
            Assert.Equal(names[row] == small, padding == 0);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => mixture.MemberNamesOf(1));
    }

    [Fact]
    public void TheCriterionIsInTheFingerprintAndTheMetadataOnlyWhenItIsNotTheDefault()
    {
        var options = new MetaTrainingOptions();
        var horizons = options with { Validation = ValidationCriterion.Horizons };
        var result = new MetaTrainingResult(1, 2.0, 1.0, 1, 0, TimeSpan.FromSeconds(1));

        Assert.DoesNotContain("validation horizons", options.Fingerprint());
        Assert.EndsWith("; validation horizons", horizons.Fingerprint());
        Assert.False(ExportMetadata.ForMetaTraining("quadratic-4d", options, result).Details.ContainsKey("meta.validation_criterion"));
        Assert.Equal("horizons", ExportMetadata.ForMetaTraining("quadratic-4d", horizons, result).Details["meta.validation_criterion"]);
    }

    [Theory]
    [InlineData("trajectory", ValidationCriterion.Trajectory)]
    [InlineData("horizons", ValidationCriterion.Horizons)]
    public void NamesRoundTrip(string name, ValidationCriterion criterion)
    {
        Assert.Equal(criterion, ValidationCriteria.Parse(name));
        Assert.Equal(name, criterion.Name());
    }

    [Fact]
    public void AnUnknownNameSaysWhichAreKnown() =>
        Assert.Contains("use trajectory or horizons", Assert.Throws<ArgumentException>(() => ValidationCriteria.Parse("final")).Message);
}
