using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// <see cref="MetaTrainingOptions.WarmStart"/>: a curriculum stage starts from an earlier run's best
/// weights, under settings of its own, and refuses weights of another network.
/// </summary>
public sealed class WarmStartTests
{
    public WarmStartTests() => TorchModules.UseOneThread();

    private static MetaTrainingOptions Options(string checkpoint) => new()
    {
        Trajectories = 4,
        ProblemsPerTrajectory = 4,
        TrajectoryLength = 8,
        UnrollLength = 4,
        MetaLearningRate = 0.01,
        ValidateEvery = 2,
        ValidationProblems = 8,
        CheckpointPath = checkpoint,
        Seed = 3,
    };

    [Fact]
    public void AWarmStartedRunStartsFromTheEarlierRunsBestWeights()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        using var first = NewOptimizer(hidden: 6);
        var earlier = new MetaTrainer(first, family, Options(temp.File("stage1.ckpt"))).Train();
        var start = WarmStart.FromCheckpoint(temp.File("stage1.ckpt"));

        // A second stage with longer trajectories and another initialisation: only the warm start can make them agree.
        TorchSharp.torch.random.manual_seed(99);
        using var second = NewOptimizer(hidden: 6);
        var stage2 = Options(temp.File("stage2.ckpt")) with { WarmStart = start, Trajectories = 1, TrajectoryLength = 12, ValidationSteps = 8 };
        var later = new MetaTrainer(second, family, stage2).Train();

        // Same validation problems (same seed and horizon): the starting weights score what the earlier run's best scored.
        Assert.Equal(earlier.BestValidation, later.InitialValidation, 10);
        Assert.Equal(earlier.BestTrajectory, start.EarlierTrajectories);
        Assert.Contains($"warm start {start.Digest}", stage2.Fingerprint());
        Assert.DoesNotContain("warm start", Options("").Fingerprint());
    }

    [Fact]
    public void WeightsOfAnotherNetworkAreRefusedWithTheReason()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        using (var small = NewOptimizer(hidden: 6))
            new MetaTrainer(small, family, Options(temp.File("small.ckpt")) with { Trajectories = 1 }).Train();
        var start = WarmStart.FromCheckpoint(temp.File("small.ckpt"));

        using var larger = NewOptimizer(hidden: 8);
        var error = Assert.Throws<InvalidDataException>(() =>
            new MetaTrainer(larger, family, Options(temp.File("large.ckpt")) with { WarmStart = start }).Train());
        Assert.Contains("cannot warm-start from small.ckpt", error.Message);
        Assert.Contains("same optimizer family and shape", error.Message);
        Assert.False(File.Exists(temp.File("large.ckpt")), "a refused warm start wrote a checkpoint");
    }

    [Fact]
    public void TheDigestFollowsTheWeights()
    {
        var a = new WarmStart("a.ckpt", new Dictionary<string, float[]> { ["w"] = [1f, 2f] }, 1, 1);
        var b = new WarmStart("b.ckpt", a.Weights, 1, 1);
        var c = new WarmStart("a.ckpt", new Dictionary<string, float[]> { ["w"] = [1f, 2.5f] }, 1, 1);
        Assert.Equal(a.Digest, b.Digest);
        Assert.NotEqual(a.Digest, c.Digest);
    }

    private static GroupedOptimizer NewOptimizer(int hidden) => GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(2, hidden, 10.0, 0.1)));
}
