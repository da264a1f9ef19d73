using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// <see cref="MetaObjective.LogLoss"/>: the meta-loss and the validation sum log losses, the rollback
/// compares them in log space, and the choice is recorded only when it is not the paper's.
/// </summary>
public sealed class MetaObjectiveTests
{
    public MetaObjectiveTests() => TorchModules.UseOneThread();

    [Fact]
    public void TheLogLossMetaGradientIsTheLossMetaGradientDividedByTheLoss()
    {
        // One problem, weight on the first step only: d log f / d phi = (d f / d phi) / f exactly.
        using var family = new QuadraticFamily(5);
        using var generator = new Generator(21);
        using var problems = family.Sample(1, generator);
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 6, 10.0, 0.1))), 6, seed: 2);
        var options = new MetaTrainingOptions { TrajectoryLength = 4, UnrollLength = 4, LossWeights = [1, 0, 0, 0] };

        var plain = new MetaTrainer(optimizer, family, options).MetaGradient(problems);
        var logged = new MetaTrainer(optimizer, family, options with { Objective = MetaObjective.LogLoss }).MetaGradient(problems);
        var loss = Rollout.Losses(optimizer, problems, 1)[1, 0];

        Assert.True(loss > 0 && Math.Abs(loss - 1) > 0.05, $"the first loss is {loss}: the test cannot tell the objectives apart");
        Assert.All(logged, g => Assert.True(float.IsFinite(g)));
        var scale = plain.Max(g => Math.Abs(g / loss));
        for (var i = 0; i < plain.Length; i++)
            Assert.Equal(plain[i] / loss, logged[i], 1e-3 * (Math.Abs(plain[i] / loss) + 1e-4 * scale));
    }

    [Fact]
    public void OverSeveralProblemsAndStepsTheObjectivesWeighProblemsDifferently()
    {
        using var family = new QuadraticFamily(5);
        using var generator = new Generator(22);
        using var problems = family.Sample(3, generator);
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 6, 10.0, 0.1))), 6, seed: 3);
        var options = new MetaTrainingOptions { TrajectoryLength = 6, UnrollLength = 6 };

        var plain = new MetaTrainer(optimizer, family, options).MetaGradient(problems);
        var logged = new MetaTrainer(optimizer, family, options with { Objective = MetaObjective.LogLoss }).MetaGradient(problems);

        // Not a rescaling: the log divides each problem's and step's gradient by its own loss.
        var cosine = Dot(plain, logged) / Math.Sqrt(Dot(plain, plain) * Dot(logged, logged));
        Assert.All(logged, g => Assert.True(float.IsFinite(g)));
        Assert.True(cosine < 0.9999, $"the two meta-gradients point the same way (cosine {cosine:0.000000})");
    }

    [Fact]
    public void ValidationSumsTheLogLosses()
    {
        using var family = new QuadraticFamily(4);
        using var generator = new Generator(23);
        using var problems = family.Sample(3, generator);
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1))), 4, seed: 4);
        var options = new MetaTrainingOptions { TrajectoryLength = 4, UnrollLength = 2, LossWeights = [0, 1, 2, 3], Objective = MetaObjective.LogLoss };

        var losses = Rollout.Losses(optimizer, problems, 4);
        var expected = Enumerable.Range(0, 3).Average(p => Enumerable.Range(1, 4).Sum(t => (t - 1) * Math.Log(losses[t, p])));

        Assert.Equal(expected, Rollout.MetaLoss(optimizer, problems, options), 1e-4);
    }

    [Fact]
    public void TheLogTermFloorsZeroAndKeepsNaN()
    {
        Assert.Equal(Math.Log(MetaObjectives.LogFloor), MetaObjective.LogLoss.Term(0.0), 12);
        Assert.Equal(Math.Log(MetaObjectives.LogFloor), MetaObjective.LogLoss.Term(-1.0), 12);
        Assert.Equal(1.0, MetaObjective.LogLoss.Term(Math.E), 12);
        Assert.True(double.IsNaN(MetaObjective.LogLoss.Term(double.NaN)));
        Assert.Equal(double.PositiveInfinity, MetaObjective.LogLoss.Term(double.PositiveInfinity));
        Assert.Equal(0.25, MetaObjective.Loss.Term(0.25));

        using var scope = NewDisposeScope();
        var terms = MetaObjective.LogLoss.Term(tensor(new float[] { 0, 1, (float)Math.E })).data<float>().ToArray();
        Assert.Equal((float)Math.Log(MetaObjectives.LogFloor), terms[0], 4);
        Assert.Equal(0f, terms[1], 6);
        Assert.Equal(1f, terms[2], 5);
    }

    [Fact]
    public void UnderLogLossTheRollbackFactorBoundsTheGeometricMeanLoss()
    {
        // Four unit weights: a factor of 2 allows the sum of log losses to grow by 4 log 2.
        var options = new MetaTrainingOptions { TrajectoryLength = 4, UnrollLength = 4, RollbackFactor = 2, Objective = MetaObjective.LogLoss };
        var allowed = 4 * Math.Log(2);

        Assert.False(options.IsCollapse(-10 + allowed - 1e-9, -10));
        Assert.True(options.IsCollapse(-10 + allowed + 1e-9, -10));
        Assert.False(options.IsCollapse(-12, -10));
        Assert.True(options.IsCollapse(double.NaN, -10));
        // The paper's objective keeps the ratio test, and no factor never rolls back.
        var plain = options with { Objective = MetaObjective.Loss };
        Assert.False(plain.IsCollapse(2.0, 1.0));
        Assert.True(plain.IsCollapse(2.01, 1.0));
        Assert.True(plain.IsCollapse(double.NaN, 1.0));
        Assert.False((options with { RollbackFactor = null }).IsCollapse(double.NaN, -10));
    }

    [Fact]
    public void TheObjectiveIsInTheFingerprintAndTheMetadataOnlyWhenItIsNotThePapers()
    {
        var options = new MetaTrainingOptions();
        var logged = options with { Objective = MetaObjective.LogLoss };
        var result = new MetaTrainingResult(1, 2.0, 1.0, 1, 0, TimeSpan.FromSeconds(1));

        Assert.DoesNotContain("objective", options.Fingerprint());
        Assert.EndsWith("; objective log-loss", logged.Fingerprint());
        Assert.False(ExportMetadata.ForMetaTraining("quadratic-4d", options, result).Details.ContainsKey("meta.objective"));
        Assert.Equal("log-loss", ExportMetadata.ForMetaTraining("quadratic-4d", logged, result).Details["meta.objective"]);
    }

    [Theory]
    [InlineData("loss", MetaObjective.Loss)]
    [InlineData("log-loss", MetaObjective.LogLoss)]
    public void NamesRoundTrip(string name, MetaObjective objective)
    {
        Assert.Equal(objective, MetaObjectives.Parse(name));
        Assert.Equal(name, objective.Name());
    }

    [Fact]
    public void AnUnknownNameSaysWhichAreKnown() =>
        Assert.Contains("use loss or log-loss", Assert.Throws<ArgumentException>(() => MetaObjectives.Parse("log")).Message);

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
