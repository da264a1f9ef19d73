using System.Security.Cryptography;
using L2LOnnx.MLNet;
using L2LOnnx.Runtime;
using Microsoft.ML;

namespace L2LOnnx.MLNet.Tests;

/// <summary>
/// Without an optimizer path the trainers use the embedded general.onnx, so an application needs no file;
/// <see cref="DefaultLearnedOptimizer.OverridePath"/> replaces it process-wide. Not run in parallel with
/// other tests: the override is global.
/// </summary>
[Collection(nameof(DefaultOptimizerOverride))]
public sealed class DefaultLearnedOptimizerTests(OptimizerFiles optimizers) : IClassFixture<OptimizerFiles>
{
    public sealed class Point
    {
        [Microsoft.ML.Data.VectorType(2)] public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    [Fact]
    public void Load_IsTheRepositorysGeneralOnnx()
    {
        using var optimizer = DefaultLearnedOptimizer.Load(new LearnedOptimizerOptions { IntraOpThreads = 1 });

        var general = File.ReadAllBytes(Path.Combine(DebianPython.RepositoryRoot(), "models", "general.onnx"));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(general)).ToLowerInvariant(), optimizer.Fingerprint);
        Assert.Equal("general.onnx", DefaultLearnedOptimizer.Source);
    }

    [Fact]
    public void TrainerWithoutAPath_TrainsWithTheEmbeddedDefault_AndTheOverrideReplacesIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Points(200));
        var trainer = ml.BinaryClassification.Trainers.LearnedOptimizer(new LearnedOptimizerBinaryTrainer.Options
        {
            NumberOfSteps = 50, BatchSize = 20, NumberOfThreads = 1, ProgressInterval = 10,
        });

        var model = trainer.Fit(data);
        Assert.Equal("learned: general.onnx", model.Report.Optimizer);
        Assert.True(model.Report.FinalLoss < model.Report.LossHistory[0].Loss,
            $"mean log-loss of the first 10 steps {model.Report.LossHistory[0].Loss}, of the last 10 {model.Report.FinalLoss}");

        var missing = optimizers.File("no-such-default.onnx");
        DefaultLearnedOptimizer.OverridePath = OptimizerFiles.Quadratic;
        try
        {
            Assert.Equal("learned: quadratic.onnx", trainer.Fit(data).Report.Optimizer);
            DefaultLearnedOptimizer.OverridePath = missing;
            var error = Assert.Throws<FileNotFoundException>(() => trainer.Fit(data));
            Assert.Contains(missing, error.Message);
        }
        finally
        {
            DefaultLearnedOptimizer.OverridePath = null;
        }
    }

    /// <summary>Points of the plane labelled by which side of the line x0 + 2 x1 = 0.5 they lie on.</summary>
    private static IEnumerable<Point> Points(int count)
    {
        var random = new Random(5);
        for (var i = 0; i < count; i++)
        {
            var x = new[] { (float)(random.NextDouble() * 4 - 2), (float)(random.NextDouble() * 4 - 2) };
            yield return new Point { Features = x, Label = x[0] + 2 * x[1] > 0.5f };
        }
    }
}

/// <summary>Tests that set <see cref="DefaultLearnedOptimizer.OverridePath"/> run alone.</summary>
[CollectionDefinition(nameof(DefaultOptimizerOverride), DisableParallelization = true)]
public sealed class DefaultOptimizerOverride;
