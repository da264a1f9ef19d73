using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>The MLP family: its features against a plain-C# Adam-style reference, the common interface, meta-training and resume.</summary>
public sealed class MlpOptimizerTests
{
    public MlpOptimizerTests() => TorchModules.UseOneThread();

    private static readonly CoordinateFeatureConfig Features = new([0.5, 0.9], SecondMomentDecay: 0.99, UseParameter: true, TimeScales: [3.0, 30.0]);

    [Fact]
    public void FeaturesAreBiasCorrectedMomentaOverTheRmsAsInAPlainLoop()
    {
        const int n = 5;
        using var features = new CoordinateFeatures(Features);
        var random = new Random(4);
        var m = new double[2, n];
        var v = new double[n];
        var decays = new[] { 0.5, 0.9 };
        using var scope = NewDisposeScope();
        var state = zeros(n, Features.StateSize);
        for (var t = 1; t <= 6; t++)
        {
            var grad = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 3)))).ToArray();
            var param = Enumerable.Range(0, n).Select(i => (float)(i - 2.5)).ToArray();
            var (x, next) = features.Step(tensor(grad), tensor(param), state);
            state = next;
            var actual = x.data<float>().ToArray();
            Assert.Equal(n * Features.FeatureCount, actual.Length);
            for (var i = 0; i < n; i++)
            {
                for (var k = 0; k < 2; k++) m[k, i] = decays[k] * m[k, i] + (1 - decays[k]) * grad[i];
                v[i] = 0.99 * v[i] + 0.01 * grad[i] * grad[i];
                var rms = Math.Sqrt(v[i] / (1 - Math.Pow(0.99, t))) + 1e-8;
                var expected = new[]
                {
                    grad[i] / rms,
                    m[0, i] / (1 - Math.Pow(0.5, t)) / rms,
                    m[1, i] / (1 - Math.Pow(0.9, t)) / rms,
                    param[i],
                    Math.Tanh(t / 3.0),
                    Math.Tanh(t / 30.0),
                };
                for (var f = 0; f < expected.Length; f++)
                    Assert.True(Math.Abs(expected[f] - actual[i * Features.FeatureCount + f]) <= 1e-4 * Math.Max(1, Math.Abs(expected[f])),
                        $"step {t}, coordinate {i}, feature {f}: expected {expected[f]}, got {actual[i * Features.FeatureCount + f]}");
            }
        }
    }

    [Fact]
    public void TheUntrainedNetworkStepsLikeAdamAtItsStepSize()
    {
        // The warm start: skip = minus the normalised 0.9-momentum, the MLP's head zeroed here to isolate it.
        random.manual_seed(3);
        using var network = new MlpOptimizer(new MlpOptimizerConfig(CoordinateFeatureConfig.Default with { SecondMomentDecay = 0.999 }, [8], StepSize: 0.02));
        using (no_grad()) { network.Head.weight!.zero_(); network.Head.bias!.zero_(); }
        ILearnedOptimizerNetwork optimizer = network;
        using var scope = NewDisposeScope();
        var state = optimizer.InitialState(4);
        var m = new double[4];
        var v = new double[4];
        for (var t = 1; t <= 5; t++)
        {
            var grad = new[] { 1f, -0.5f * t, 1e-3f, 30f / t };
            var (update, next) = optimizer.Step(tensor(grad), zeros(4), state);
            state = next;
            var actual = update.data<float>().ToArray();
            for (var i = 0; i < 4; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * grad[i];
                v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
                var adam = -0.02 * (m[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, t))) + 1e-8);
                Assert.True(Math.Abs(adam - actual[i]) <= 1e-5, $"step {t}, coordinate {i}: Adam {adam}, network {actual[i]}");
            }
        }
    }

    [Fact]
    public void StepAdaptationGrowsTheStepWhileTheGradientKeepsItsSignAndShrinksItWhenItFlips()
    {
        // The warm start of step adaptation, MLP head zeroed: hypergradient descent on the log step.
        random.manual_seed(6);
        var config = new MlpOptimizerConfig(CoordinateFeatureConfig.Default, [8], StepSize: 0.01, StepAdaptationRate: 0.2, StepAdaptationRange: 2);
        using var network = new MlpOptimizer(config);
        using (no_grad()) { network.Head.weight!.zero_(); network.Head.bias!.zero_(); }
        ILearnedOptimizerNetwork optimizer = network;
        using var scope = NewDisposeScope();
        var state = optimizer.InitialState(2);
        var steady = new List<float>();

        for (var t = 1; t <= 40; t++)
        {
            // Coordinate 0 sees the same gradient every step, coordinate 1 one that alternates in sign.
            var (update, next) = optimizer.Step(tensor(new[] { 1f, t % 2 == 0 ? 1f : -1f }), zeros(2), state);
            state = next;
            var u = update.data<float>().ToArray();
            steady.Add(Math.Abs(u[0]));
        }
        // A constant gradient is Adam's step 0.01 times the learned factor, which must have grown to its cap e^2.
        Assert.True(steady[^1] > 0.01f * Math.Exp(2) * 0.999, $"steady coordinate: last step {steady[^1]}, expected about {0.01 * Math.Exp(2)}");
        Assert.True(steady.Zip(steady.Skip(1)).All(p => p.Second >= p.First * 0.999f), "the steady coordinate's step shrank at some point");
        var logStep = ((MlpOptimizerState)state).Accumulators[1, config.Features.StateSize].item<float>();
        // An alternating gradient leaves a small 0.9-momentum of the other sign: the log step falls slowly but steadily.
        Assert.True(logStep < -0.3, $"the alternating coordinate's log step is {logStep}, expected it to have shrunk below -0.3");
        Assert.Equal(config.StateSize, ((MlpOptimizerState)state).Accumulators.shape[1]);
    }

    [Fact]
    public void TheCeilingStopsTheLearnedStepGrowingWhileTheFloorStaysAtMinusTheRange()
    {
        random.manual_seed(6);
        var config = new MlpOptimizerConfig(CoordinateFeatureConfig.Default, [8], StepSize: 0.01, StepAdaptationRate: 0.2, StepAdaptationRange: 2, StepAdaptationCeiling: 0.5);
        using var network = new MlpOptimizer(config);
        using (no_grad()) { network.Head.weight!.zero_(); network.Head.bias!.zero_(); }
        ILearnedOptimizerNetwork optimizer = network;
        using var scope = NewDisposeScope();
        var state = optimizer.InitialState(2);
        var logSteps = new List<(float Steady, float Alternating)>();
        for (var t = 1; t <= 60; t++)
        {
            var (_, next) = optimizer.Step(tensor(new[] { 1f, t % 2 == 0 ? 1f : -1f }), zeros(2), state);
            state = next;
            var accumulators = ((MlpOptimizerState)state).Accumulators;
            logSteps.Add((accumulators[0, config.Features.StateSize].item<float>(), accumulators[1, config.Features.StateSize].item<float>()));
        }
        // The steady coordinate climbs to the ceiling and stays there; without it, it would reach 2 (the test above).
        Assert.All(logSteps, l => Assert.True(l.Steady <= 0.5f + 1e-6f, $"log step {l.Steady} above the ceiling 0.5"));
        Assert.Equal(0.5f, logSteps[^1].Steady, 5);
        Assert.True(logSteps[^1].Alternating < -0.3f, $"the alternating coordinate's log step is {logSteps[^1].Alternating}: the ceiling must not stop it shrinking");
        Assert.Contains("within -2 .. 0.5", config.Describe());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MlpOptimizer(config with { StepAdaptationCeiling = 2.5 }));
    }

    [Fact]
    public void BothFamiliesServeTheGroupedOptimizerThroughOneInterface()
    {
        var groups = new[] { new ParameterGroup("conv", 0, 3), new ParameterGroup("fc", 3, 2) };
        using var lstm = GroupedOptimizer.PerGroup(groups, new LstmOptimizerConfig(1, 4, 10.0, 0.1));
        using var mlp = GroupedOptimizer.PerGroup(groups, new MlpOptimizerConfig(Features, [6, 6]));
        using var scope = NewDisposeScope();
        var grad = randn(2, 5);
        var param = randn(2, 5);
        foreach (var optimizer in new[] { lstm, mlp })
        {
            var state = optimizer.InitialState(2, groups);
            var (update, next) = optimizer.Step(grad, param, state);
            Assert.Equal(new long[] { 2, 5 }, update.shape);
            Assert.True(update.isfinite().all().item<bool>());
            var (again, _) = optimizer.Step(grad, param, next.DetachToOuterScope());
            Assert.False(again.allclose(update), $"{optimizer.Describe()}: the state did not change the second step");
        }
        Assert.Contains("MLP", mlp.Describe());
        Assert.Contains("LSTM", lstm.Describe());
    }

    [Fact]
    public void MetaTrainingImprovesTheMlpOnQuadratics()
    {
        using var family = new QuadraticFamily(6);
        random.manual_seed(5);
        using var optimizer = GroupedOptimizer.Shared(new MlpOptimizer(new MlpOptimizerConfig(CoordinateFeatureConfig.Default, [8, 8], StepSize: 0.01)));
        var result = new MetaTrainer(optimizer, family, new MetaTrainingOptions
        {
            Trajectories = 12, ProblemsPerTrajectory = 8, TrajectoryLength = 20, UnrollLength = 10,
            MetaLearningRate = 0.01, ValidateEvery = 4, ValidationProblems = 16, Seed = 3,
        }).Train();
        Assert.True(result.BestValidation < result.InitialValidation,
            $"validation meta-loss {result.InitialValidation:0.000} -> {result.BestValidation:0.000}: no improvement");
    }

    [Fact]
    public void ResumingAnMlpRunAfterAKillEqualsAnUninterruptedRun()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        var options = new MetaTrainingOptions
        {
            Trajectories = 8, ProblemsPerTrajectory = 4, TrajectoryLength = 12, UnrollLength = 4,
            MetaLearningRate = 0.01, ValidateEvery = 2, ValidationProblems = 8, CheckpointEvery = 2, Seed = 9,
        };
        random.manual_seed(8);
        using var initial = NewMlp();

        using var straight = NewMlp();
        TorchModules.CopyWeights(initial, straight);
        var uninterrupted = new MetaTrainer(straight, family, options with { CheckpointPath = temp.File("straight.ckpt") }).Train();

        using (var firstHalf = NewMlp())
        {
            TorchModules.CopyWeights(initial, firstHalf);
            new MetaTrainer(firstHalf, family, options with { Trajectories = 4, CheckpointPath = temp.File("resumed.ckpt") }).Train();
        }
        using var resumedNetwork = NewMlp();
        var resumed = new MetaTrainer(resumedNetwork, family, options with { CheckpointPath = temp.File("resumed.ckpt") }).Train(resume: true);

        Assert.Equal(4, resumed.ResumedFrom);
        Assert.Equal(uninterrupted.BestValidation, resumed.BestValidation);
        Assert.Equal(TorchModules.Flatten(straight), TorchModules.Flatten(resumedNetwork));
        Assert.NotEqual(TorchModules.Flatten(initial), TorchModules.Flatten(resumedNetwork));
    }

    private static GroupedOptimizer NewMlp() => GroupedOptimizer.Shared(new MlpOptimizer(new MlpOptimizerConfig(Features, [6, 6])));
}
