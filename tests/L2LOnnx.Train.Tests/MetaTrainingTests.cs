using L2LOnnx.Train.Data;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>Small real meta-training runs: the trainer learns, and its safety rules hold.</summary>
public sealed class MetaTrainingTests
{
    public MetaTrainingTests() => TorchModules.UseOneThread();

    [Fact]
    public void MetaTrainingLowersValidationMetaLossOnQuadratics()
    {
        using var family = new QuadraticFamily(10);
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(2, 20, 10.0, 0.1))), 20, seed: 1);
        var result = new MetaTrainer(optimizer, family, new MetaTrainingOptions
        {
            Trajectories = 20,
            ProblemsPerTrajectory = 8,
            TrajectoryLength = 20,
            UnrollLength = 10,
            MetaLearningRate = 0.03,
            ValidateEvery = 5,
            ValidationProblems = 16,
            Seed = 3,
        }).Train();

        Assert.Equal(20, result.Trajectories);
        Assert.True(result.BestTrajectory > 0, "no validation check improved on the untrained optimizer");
        Assert.True(result.BestValidation < 0.7 * result.InitialValidation,
            $"validation meta-loss {result.InitialValidation:0.00} -> {result.BestValidation:0.00}: less than 30% lower");
    }

    [DataSetFact(DataSet.Mnist)]
    public void MetaTrainingLowersValidationMetaLossOnReducedMnist()
    {
        // Reduced: 2,000 digits, 784-8-10 sigmoid MLP on minibatches of 32, 20-step trajectories, a 1x8 LSTM.
        var digits = DataSets.Mnist().Shuffled(ProblemSpec.MnistShuffleSeed).Take(2000);
        using var family = new MlpFamily(new ImageTensors(digits), new MlpConfig { HiddenSizes = [8], BatchSize = 32 });
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 8, 10.0, 0.1))), 8, seed: 1);
        var result = new MetaTrainer(optimizer, family, new MetaTrainingOptions
        {
            Trajectories = 15,
            ProblemsPerTrajectory = 2,
            TrajectoryLength = 20,
            UnrollLength = 10,
            MetaLearningRate = 0.03,
            ValidateEvery = 5,
            ValidationProblems = 4,
            Seed = 5,
        }).Train();

        Assert.True(result.BestTrajectory > 0, "no validation check improved on the untrained optimizer");
        Assert.True(result.BestValidation < 0.9 * result.InitialValidation,
            $"validation meta-loss {result.InitialValidation:0.000} -> {result.BestValidation:0.000}: less than 10% lower");
    }

    [Fact]
    public void NonFiniteMetaLossIsSkippedCountedAndNeverApplied()
    {
        using var family = new PoisonedFamily(new QuadraticFamily(4));
        using var optimizer = GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1)));
        var before = TorchModules.Flatten(optimizer);
        var result = new MetaTrainer(optimizer, family, new MetaTrainingOptions
        {
            Trajectories = 3, ProblemsPerTrajectory = 2, TrajectoryLength = 4, UnrollLength = 2, ValidationProblems = 2, ValidateEvery = 1,
        }).Train();

        Assert.Equal(3 * 2, result.SkippedMetaSteps);
        Assert.Equal(before, TorchModules.Flatten(optimizer));
    }

    [Fact]
    public void SecondDerivativesGiveADifferentFiniteMetaGradient()
    {
        // An MLP has small gradients and a curved loss, and raw gradients as input keep d(update)/d(grad)
        // large (log/sign preprocessing and the quadratics' large gradients both make it tiny).
        using var family = new MlpFamily(new ImageTensors(TinyImages.Random(64, 1, 4, 3, seed: 1)), new MlpConfig { HiddenSizes = [4], BatchSize = 16, InitStd = 0.5 });
        using var generator = new Generator(11);
        using var problems = family.Sample(3, generator);
        using var optimizer = GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(2, 8, null, 1.0)));
        var options = new MetaTrainingOptions { TrajectoryLength = 8, UnrollLength = 8 };

        var dropped = new MetaTrainer(optimizer, family, options).MetaGradient(problems);
        var kept = new MetaTrainer(optimizer, family, options with { SecondDerivatives = true }).MetaGradient(problems);
        var again = new MetaTrainer(optimizer, family, options).MetaGradient(problems);

        Assert.All(kept, g => Assert.True(float.IsFinite(g)));
        Assert.All(dropped, g => Assert.True(float.IsFinite(g)));
        Assert.Equal(dropped, again);
        var difference = Math.Sqrt(dropped.Zip(kept, (a, b) => (double)(a - b) * (a - b)).Sum());
        var norm = Math.Sqrt(dropped.Sum(a => (double)a * a));
        Assert.True(difference > 1e-4 * norm, $"second derivatives changed the meta-gradient by only {difference:E2} (norm {norm:E2})");
    }

    [Fact]
    public void LossWeightsScaleTheMetaGradientStepByStep()
    {
        using var family = new QuadraticFamily(5);
        using var generator = new Generator(12);
        using var problems = family.Sample(3, generator);
        using var optimizer = GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 6, 10.0, 0.1)));
        var options = new MetaTrainingOptions { TrajectoryLength = 6, UnrollLength = 6 };
        double[] Weights(params double[] w) => w;

        var first = new MetaTrainer(optimizer, family, options with { LossWeights = Weights(1, 0, 0, 0, 0, 0) }).MetaGradient(problems);
        var rest = new MetaTrainer(optimizer, family, options with { LossWeights = Weights(0, 1, 1, 1, 1, 1) }).MetaGradient(problems);
        var mixed = new MetaTrainer(optimizer, family, options with { LossWeights = Weights(3, 0.5, 0.5, 0.5, 0.5, 0.5) }).MetaGradient(problems);

        // The meta-loss is linear in w, so its gradient must be too.
        for (var i = 0; i < mixed.Length; i++)
            Assert.Equal(3 * first[i] + 0.5 * rest[i], mixed[i], 1e-4 * (1 + Math.Abs(mixed[i])));
        Assert.NotEqual(first, rest);
    }

    [Fact]
    public void MetaLearningRateDecaysGeometricallyToTheFinalRate()
    {
        var options = new MetaTrainingOptions { Trajectories = 5, MetaLearningRate = 1e-2, FinalMetaLearningRate = 1e-4 };
        Assert.Equal(1e-2, options.MetaLearningRateAt(1), 12);
        Assert.Equal(1e-3, options.MetaLearningRateAt(3), 12);
        Assert.Equal(1e-4, options.MetaLearningRateAt(5), 12);
        Assert.Equal(1e-2, (options with { FinalMetaLearningRate = null }).MetaLearningRateAt(5), 12);
    }

    [Fact]
    public void ValidationRolloutsCanRunPastTheTrainingHorizon()
    {
        using var family = new QuadraticFamily(4);
        using var generator = new Generator(13);
        using var problems = family.Sample(3, generator);
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1))), 4, seed: 4);
        var options = new MetaTrainingOptions { TrajectoryLength = 4, UnrollLength = 2, LossWeights = [0, 1, 2, 3] };

        var losses = Rollout.Losses(optimizer, problems, 6);
        double Expected(params double[] weights) =>
            Enumerable.Range(0, 3).Average(p => weights.Select((w, t) => w * losses[t + 1, p]).Sum());

        Assert.Equal(Expected(0, 1, 2, 3), Rollout.MetaLoss(optimizer, problems, options), 1e-4);
        // Past T the last weight repeats.
        Assert.Equal(Expected(0, 1, 2, 3, 3, 3), Rollout.MetaLoss(optimizer, problems, options with { ValidationSteps = 6 }), 1e-4);
    }

    [Theory]
    [InlineData(100, 30)]
    [InlineData(20, 20)]
    public void OptionsRejectTrajectoriesThatAreNotWholeUnrolls(int steps, int unroll)
    {
        var options = new MetaTrainingOptions { TrajectoryLength = steps, UnrollLength = unroll, LossWeights = new double[3] };
        Assert.ThrowsAny<ArgumentException>(options.Validate);
    }

    /// <summary>Quadratics whose loss is NaN at every step after the start: every meta-loss is NaN.</summary>
    private sealed class PoisonedFamily(QuadraticFamily inner) : IProblemFamily
    {
        public string Name => "poisoned-" + inner.Name;
        public int Dimension => inner.Dimension;
        public IReadOnlyList<ParameterGroup> Groups => inner.Groups;
        public IOptimizee Sample(int count, Generator generator) => new Batch(inner.Sample(count, generator));
        public void Dispose() => inner.Dispose();

        private sealed class Batch(IOptimizee inner) : IOptimizee
        {
            public int ProblemCount => inner.ProblemCount;
            public int Dimension => inner.Dimension;
            public Tensor InitialParameters() => inner.InitialParameters();
            public Tensor Loss(Tensor theta, int step) => step == 0 ? inner.Loss(theta, step) : inner.Loss(theta, step) * float.NaN;
            public void Dispose() => inner.Dispose();
        }
    }
}
