using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// <see cref="MetaTrainingOptions.RollbackFactor"/>: a validation score past the factor times the best
/// returns the run to the best weights and halves the meta learning rate; checkpoints carry it across a resume.
/// </summary>
public sealed class RollbackTests
{
    public RollbackTests() => TorchModules.UseOneThread();

    // A factor just above 1 rolls back on any validation worse than the best, which a meta-lr this large
    // produces within a few trajectories; the seed fixes the run, so the test is deterministic.
    private static MetaTrainingOptions Options(string checkpoint) => new()
    {
        Trajectories = 12,
        ProblemsPerTrajectory = 4,
        TrajectoryLength = 12,
        UnrollLength = 4,
        MetaLearningRate = 0.3,
        ValidateEvery = 1,
        ValidationProblems = 8,
        CheckpointPath = checkpoint,
        CheckpointEvery = 1,
        RollbackFactor = 1.0001,
        Seed = 5,
    };

    [Fact]
    public void ACollapseReturnsToTheBestWeightsAndHalvesTheMetaLearningRate()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        using var optimizer = NewOptimizer();
        var options = Options(temp.File("run.ckpt"));
        var reports = new List<(MetaTrainingProgress Progress, MetaTrainingCheckpoint Checkpoint)>();
        // Checkpoints are written before the progress report, so each report sees its trajectory's checkpoint.
        var progress = new Inline(p => reports.Add((p, MetaTrainingCheckpoint.Load(options.CheckpointPath!))));

        var result = new MetaTrainer(optimizer, family, options).Train(progress);

        Assert.True(result.Rollbacks > 0, "the run never rolled back: the test's meta-lr no longer makes validation worse");
        Assert.Equal(reports[^1].Progress.Rollbacks, result.Rollbacks);
        var first = reports.FindIndex(r => r.Progress.Rollbacks == 1);
        var atRollback = reports[first].Checkpoint;
        Assert.Equal(Flatten(atRollback.BestWeights), Flatten(atRollback.Weights));
        Assert.NotNull(atRollback.BestMetaOptimizerState);
        Assert.Equal(1, atRollback.Rollbacks);
        // The trajectory that collapsed still ran at the full rate; the next one runs at half.
        Assert.Equal(options.MetaLearningRate, reports[first].Progress.MetaLearningRate, 12);
        if (first + 1 < reports.Count && reports[first + 1].Progress.Rollbacks == 1)
            Assert.Equal(options.MetaLearningRate / 2, reports[first + 1].Progress.MetaLearningRate, 12);
        // The run ends on the best weights it ever validated.
        Assert.Equal(result.BestValidation, reports.Min(r => r.Checkpoint.BestValidation));
    }

    [Fact]
    public void WithoutAFactorTheRunNeverRollsBack()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        using var optimizer = NewOptimizer();
        var result = new MetaTrainer(optimizer, family, Options(temp.File("run.ckpt")) with { RollbackFactor = null }).Train();
        Assert.Equal(0, result.Rollbacks);
        Assert.Null(MetaTrainingCheckpoint.Load(temp.File("run.ckpt")).BestMetaOptimizerState);
    }

    [Fact]
    public void ResumingARunThatRolledBackEqualsAnUninterruptedRun()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        var options = Options(temp.File("straight.ckpt"));
        using var straight = NewOptimizer();
        using var resumedNetwork = NewOptimizer();
        TorchModules.CopyWeights(straight, resumedNetwork);
        var uninterrupted = new MetaTrainer(straight, family, options).Train();

        var halfway = options with { CheckpointPath = temp.File("resumed.ckpt") };
        new MetaTrainer(resumedNetwork, family, halfway with { Trajectories = 6 }).Train();
        var resumed = new MetaTrainer(resumedNetwork, family, halfway).Train(resume: true);

        Assert.True(uninterrupted.Rollbacks > 0);
        Assert.Equal(uninterrupted.Rollbacks, resumed.Rollbacks);
        Assert.Equal(uninterrupted.BestValidation, resumed.BestValidation);
        Assert.Equal(TorchModules.Flatten(straight), TorchModules.Flatten(resumedNetwork));
    }

    [Fact]
    public void TheFactorIsInTheFingerprintOnlyWhenSet()
    {
        var options = Options("");
        Assert.Contains("rollback above 1.0001x best", options.Fingerprint());
        Assert.DoesNotContain("rollback", (options with { RollbackFactor = null }).Fingerprint());
        Assert.Throws<ArgumentOutOfRangeException>(() => (options with { RollbackFactor = 1.0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (options with { RollbackFactor = double.PositiveInfinity }).Validate());
    }

    [Fact]
    public void TheHalvingComposesWithTheDecaySchedule()
    {
        var options = Options("") with { MetaLearningRate = 0.01, FinalMetaLearningRate = 0.001, Trajectories = 11 };
        Assert.Equal(0.01 / 4, options.MetaLearningRateAt(1, rollbacks: 2), 12);
        Assert.Equal(0.001 / 2, options.MetaLearningRateAt(11, rollbacks: 1), 12);
        Assert.Equal(options.MetaLearningRateAt(6), options.MetaLearningRateAt(6, rollbacks: 0));
    }

    private static float[] Flatten(IReadOnlyDictionary<string, float[]> weights) =>
        weights.OrderBy(w => w.Key, StringComparer.Ordinal).SelectMany(w => w.Value).ToArray();

    private static GroupedOptimizer NewOptimizer() => GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(2, 6, 10.0, 0.1)));

    /// <summary>Reports synchronously (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class Inline(Action<MetaTrainingProgress> report) : IProgress<MetaTrainingProgress>
    {
        public void Report(MetaTrainingProgress value) => report(value);
    }
}
