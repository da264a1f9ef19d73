using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// <see cref="MetaTrainingOptions.RecomputeSegment"/>: an unroll back-propagated in recomputed segments has
/// the meta-gradient of one graph of the whole unroll, which the first segment's own gradient is not.
/// </summary>
public sealed class SegmentedUnrollTests
{
    public SegmentedUnrollTests() => TorchModules.UseOneThread();

    [Theory]
    [InlineData(4)]
    [InlineData(3)]
    public void TheLstmsSegmentedMetaGradientOnQuadraticsIsTheWholeUnrolls(int segment)
    {
        using var family = new QuadraticFamily(5);
        using var generator = new Generator(31);
        using var problems = family.Sample(3, generator);
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(2, 6, 10.0, 0.1))), 6, seed: 7);
        var options = new MetaTrainingOptions { TrajectoryLength = 12, UnrollLength = 12 };

        AssertSegmentedEqualsWhole(optimizer, family, problems, options, segment);
    }

    [Fact]
    public void TheStepAdaptingMlpsSegmentedMetaGradientOnMinibatchedRegressionsIsTheWholeUnrolls()
    {
        // Minibatches change with the step, and the MLP's state holds momenta and a clamped log step: the
        // recomputation must reproduce all of them, and the adjoint must flow through every state column.
        using var family = new MixtureFamily("tiny", [
            LinearModelFamily.Synthetic(LinearModelLoss.Squared, new SyntheticDataConfig { Features = 3, Samples = 16, BatchSize = 4 }),
            LinearModelFamily.Synthetic(LinearModelLoss.Softmax, new SyntheticDataConfig { Features = 4, Classes = 3, Samples = 16, BatchSize = 4 }),
        ]);
        using var generator = new Generator(32);
        using var problems = family.Sample(2, generator);
        random.manual_seed(8);
        var config = new MlpOptimizerConfig(CoordinateFeatureConfig.Default, [8, 8], StepSize: 0.05, StepAdaptationRate: 0.2, StepAdaptationRange: 2.3);
        using var optimizer = GroupedOptimizer.Shared(new MlpOptimizer(config));
        var options = new MetaTrainingOptions { TrajectoryLength = 10, UnrollLength = 10, MetaGradientClip = null };

        AssertSegmentedEqualsWhole(optimizer, family, problems, options, segment: 5);
        AssertSegmentedEqualsWhole(optimizer, family, problems, options with { Objective = MetaObjective.LogLoss }, segment: 2);
    }

    [Fact]
    public void ASegmentedRunTrainsTheSameWeightsAsAWholeGraphRun()
    {
        using var family = new QuadraticFamily(4);
        float[] Trained(int? segment)
        {
            using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 5, 10.0, 0.1))), 5, seed: 9);
            new MetaTrainer(optimizer, family, new MetaTrainingOptions
            {
                Trajectories = 3, ProblemsPerTrajectory = 4, TrajectoryLength = 12, UnrollLength = 6, RecomputeSegment = segment,
                MetaLearningRate = 0.01, ValidateEvery = 3, ValidationProblems = 4, Seed = 5,
            }).Train();
            return TorchModules.Flatten(optimizer);
        }

        var whole = Trained(null);
        var segmented = Trained(3);
        var untrained = TorchModules.Flatten(TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 5, 10.0, 0.1))), 5, seed: 9));
        Assert.NotEqual(untrained, whole);
        for (var i = 0; i < whole.Length; i++) Assert.Equal(whole[i], segmented[i], 1e-4);
    }

    [Fact]
    public void ASegmentThatDoesNotDivideTheUnrollIsRefusedAndTheSettingIsFingerprinted()
    {
        var options = new MetaTrainingOptions { TrajectoryLength = 100, UnrollLength = 100 };
        var error = Assert.Throws<ArgumentException>(() => (options with { RecomputeSegment = 30 }).Validate());
        Assert.Contains("must divide UnrollLength (100)", error.Message);
        Assert.Throws<ArgumentException>(() => (options with { RecomputeSegment = 0 }).Validate());
        (options with { RecomputeSegment = 25 }).Validate();
        Assert.DoesNotContain("segments", options.Fingerprint());
        Assert.EndsWith("; recomputed in segments of 25", (options with { RecomputeSegment = 25 }).Fingerprint());
    }

    private static void AssertSegmentedEqualsWhole(GroupedOptimizer optimizer, IProblemFamily family, IOptimizee problems, MetaTrainingOptions options, int segment)
    {
        var whole = new MetaTrainer(optimizer, family, options).MetaGradient(problems);
        var segmented = new MetaTrainer(optimizer, family, options with { RecomputeSegment = segment }).MetaGradient(problems);
        // What the segments would give without the adjoints handed back: the first segment's gradient alone.
        var firstSegment = new MetaTrainer(optimizer, family, options with { TrajectoryLength = segment, UnrollLength = segment }).MetaGradient(problems);

        var scale = whole.Max(Math.Abs);
        Assert.True(scale > 0, "the meta-gradient is zero: the test cannot compare anything");
        Assert.All(segmented, g => Assert.True(float.IsFinite(g)));
        for (var i = 0; i < whole.Length; i++) Assert.Equal(whole[i], segmented[i], 2e-5 * scale);
        var gap = whole.Zip(firstSegment).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(gap > 0.01 * scale, $"the whole unroll's meta-gradient is within {gap / scale:P2} of the first segment's: the test cannot tell them apart");
    }
}
