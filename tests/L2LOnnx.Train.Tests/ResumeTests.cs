using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>Checkpoints: an interrupted or killed run, resumed, ends exactly where an uninterrupted one does.</summary>
public sealed class ResumeTests
{
    public ResumeTests() => TorchModules.UseOneThread();

    private static MetaTrainingOptions Options(string checkpoint) => new()
    {
        Trajectories = 12,
        ProblemsPerTrajectory = 4,
        TrajectoryLength = 12,
        UnrollLength = 4,
        MetaLearningRate = 0.03,
        FinalMetaLearningRate = 0.003,
        ValidateEvery = 3,
        ValidationProblems = 8,
        CheckpointPath = checkpoint,
        CheckpointEvery = 3,
        Seed = 21,
    };

    [Fact]
    public void ResumingAfterAKillEqualsAnUninterruptedRun()
    {
        // A constant meta learning rate: the 6-trajectory first run is then the first half of the 12.
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        using var initial = NewOptimizer();
        var options = Options(temp.File("straight.ckpt")) with { FinalMetaLearningRate = null };

        using var straight = Clone(initial);
        var uninterrupted = new MetaTrainer(straight, family, options).Train();

        // "Killed" after 6 of 12 trajectories: only its checkpoint survives. The resumed run starts from
        // a fresh network, whose weights the checkpoint overwrites.
        var resumedOptions = options with { CheckpointPath = temp.File("resumed.ckpt") };
        using (var firstHalf = Clone(initial))
            new MetaTrainer(firstHalf, family, resumedOptions with { Trajectories = 6 }).Train();
        using var resumedNetwork = NewOptimizer();
        var resumed = new MetaTrainer(resumedNetwork, family, resumedOptions).Train(resume: true);

        Assert.Equal(6, resumed.ResumedFrom);
        Assert.Equal(12, resumed.Trajectories);
        Assert.Equal(uninterrupted.BestValidation, resumed.BestValidation);
        Assert.Equal(uninterrupted.BestTrajectory, resumed.BestTrajectory);
        Assert.Equal(TorchModules.Flatten(straight), TorchModules.Flatten(resumedNetwork));
        Assert.Equal(LatestWeights(temp.File("straight.ckpt")), LatestWeights(temp.File("resumed.ckpt")));
        Assert.NotEqual(TorchModules.Flatten(initial), TorchModules.Flatten(resumedNetwork));
    }

    [Fact]
    public void CancellingInsideATrajectoryThenResumingEqualsAnUninterruptedRun()
    {
        using var temp = new TempDirectory();
        using var initial = NewOptimizer();

        using var straight = Clone(initial);
        using (var family = new QuadraticFamily(6))
            new MetaTrainer(straight, family, Options(temp.File("straight.ckpt"))).Train();

        // Cancel during the 2nd unroll of trajectory 8: its first meta-step has already changed the
        // weights, so the saved checkpoint must be the one from the start of that trajectory.
        using var cancellation = new CancellationTokenSource();
        var interrupted = Clone(initial);
        MetaTrainingResult stopped;
        using (var family = new CancellingFamily(new QuadraticFamily(6), cancellation, lossCallsBeforeCancel: LossCallsUntil(trajectory: 8, unroll: 2)))
            stopped = new MetaTrainer(interrupted, family, Options(temp.File("interrupted.ckpt"))).Train(cancellation: cancellation.Token);
        interrupted.Dispose();

        using var resumedNetwork = NewOptimizer();
        MetaTrainingResult resumed;
        using (var family = new QuadraticFamily(6))
            resumed = new MetaTrainer(resumedNetwork, family, Options(temp.File("interrupted.ckpt"))).Train(resume: true);

        Assert.True(stopped.Interrupted);
        Assert.Equal(7, stopped.Trajectories);
        Assert.Equal(7, resumed.ResumedFrom);
        Assert.Equal(TorchModules.Flatten(straight), TorchModules.Flatten(resumedNetwork));
        Assert.Equal(LatestWeights(temp.File("straight.ckpt")), LatestWeights(temp.File("interrupted.ckpt")));
    }

    [Fact]
    public void CancellingARecomputedUnrollBetweenItsSegmentsThenResumingEqualsAnUninterruptedRun()
    {
        // One unroll of all 12 steps in segments of 4: a stop must not wait for the whole unroll, and the
        // meta-gradient half accumulated when it comes must not leak into the resumed run.
        using var temp = new TempDirectory();
        using var initial = NewOptimizer();
        MetaTrainingOptions Segmented(string checkpoint) => Options(checkpoint) with { UnrollLength = 12, RecomputeSegment = 4 };

        using var straight = Clone(initial);
        using (var family = new QuadraticFamily(6))
            new MetaTrainer(straight, family, Segmented(temp.File("straight.ckpt"))).Train();

        // Loss calls per trajectory: 3 forward segments and 3 recomputed ones of 5 calls each; validations
        // (T + 1 calls) at the start and after trajectories 3 and 6. Cancel inside the first recomputed
        // segment of trajectory 8, so that the check before the next segment stops it.
        var cancelAt = 3 * 13 + 7 * 30 + 15 + 3;
        using var cancellation = new CancellationTokenSource();
        var interrupted = Clone(initial);
        MetaTrainingResult stopped;
        using (var family = new CancellingFamily(new QuadraticFamily(6), cancellation, lossCallsBeforeCancel: cancelAt))
            stopped = new MetaTrainer(interrupted, family, Segmented(temp.File("interrupted.ckpt"))).Train(cancellation: cancellation.Token);
        interrupted.Dispose();

        using var resumedNetwork = NewOptimizer();
        using (var family = new QuadraticFamily(6))
            new MetaTrainer(resumedNetwork, family, Segmented(temp.File("interrupted.ckpt"))).Train(resume: true);

        Assert.True(stopped.Interrupted);
        Assert.Equal(7, stopped.Trajectories);
        Assert.Equal(TorchModules.Flatten(straight), TorchModules.Flatten(resumedNetwork));
    }

    [Fact]
    public void ResumingWithDifferentSettingsIsRefusedWithBothSettingsShown()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        using (var first = NewOptimizer())
            new MetaTrainer(first, family, Options(temp.File("run.ckpt")) with { Trajectories = 3 }).Train();

        using var second = NewOptimizer();
        var error = Assert.Throws<InvalidOperationException>(() =>
            new MetaTrainer(second, family, Options(temp.File("run.ckpt")) with { MetaLearningRate = 0.5 }).Train(resume: true));
        Assert.Contains("meta-lr 0.03", error.Message);
        Assert.Contains("meta-lr 0.5", error.Message);
    }

    [Fact]
    public void ResumingWithoutACheckpointSaysWhereItLooked()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        using var optimizer = NewOptimizer();
        var error = Assert.Throws<FileNotFoundException>(() =>
            new MetaTrainer(optimizer, family, Options(temp.File("missing.ckpt"))).Train(resume: true));
        Assert.Contains("missing.ckpt", error.Message);
    }

    /// <summary>
    /// Loss calls before unroll <paramref name="unroll"/> (1-based) of trajectory <paramref name="trajectory"/>
    /// starts: the initial validation (T + 1 calls), every validation (T + 1 each), and per unroll U + 1.
    /// </summary>
    private static int LossCallsUntil(int trajectory, int unroll)
    {
        var o = Options("");
        var perTrajectory = o.TrajectoryLength / o.UnrollLength * (o.UnrollLength + 1);
        var validations = 1 + (trajectory - 1) / o.ValidateEvery;
        return validations * (o.TrajectoryLength + 1) + (trajectory - 1) * perTrajectory + (unroll - 1) * (o.UnrollLength + 1) + 1;
    }

    private static float[] LatestWeights(string checkpoint) =>
        MetaTrainingCheckpoint.Load(checkpoint).Weights.OrderBy(w => w.Key, StringComparer.Ordinal).SelectMany(w => w.Value).ToArray();

    private static GroupedOptimizer NewOptimizer() => GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(2, 6, 10.0, 0.1)));

    private static GroupedOptimizer Clone(GroupedOptimizer source)
    {
        var copy = NewOptimizer();
        TorchModules.CopyWeights(source, copy);
        return copy;
    }

    /// <summary>Quadratics that cancel a token on the n-th loss evaluation, as Ctrl-C would in the middle of a trajectory.</summary>
    private sealed class CancellingFamily(QuadraticFamily inner, CancellationTokenSource cancellation, int lossCallsBeforeCancel) : IProblemFamily
    {
        private int calls;

        private void Count()
        {
            if (++calls == lossCallsBeforeCancel) cancellation.Cancel();
        }

        public string Name => inner.Name;
        public int Dimension => inner.Dimension;
        public IReadOnlyList<ParameterGroup> Groups => inner.Groups;
        public IOptimizee Sample(int count, Generator generator) => new Batch(this, inner.Sample(count, generator));
        public void Dispose() => inner.Dispose();

        private sealed class Batch(CancellingFamily family, IOptimizee batch) : IOptimizee
        {
            public int ProblemCount => batch.ProblemCount;
            public int Dimension => batch.Dimension;
            public Tensor InitialParameters() => batch.InitialParameters();

            public Tensor Loss(Tensor theta, int step)
            {
                family.Count();
                return batch.Loss(theta, step);
            }

            public void Dispose() => batch.Dispose();
        }
    }
}
