using L2LOnnx.MLNet;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet.Tests;

/// <summary>The updates really come from the chosen optimizer: learned files and SGD take different paths from the same seed.</summary>
public sealed class OptimizerUseTests(OptimizerFiles optimizers) : IClassFixture<OptimizerFiles>
{
    private readonly MLContext ml = new(seed: 1);

    [DataSetFact(DataSet.Mnist)]
    public void LearnedOptimizersAndSgd_FromTheSameSeed_TakeDifferentPaths_EachReproducibly()
    {
        var data = Rows.ThreeVersusFive(ml, 0, 400);

        float[] Weights(string? optimizer, BaselineKind? baseline) => ml.BinaryClassification.Trainers.LearnedOptimizer(new LearnedOptimizerBinaryTrainer.Options
        {
            OptimizerPath = optimizer, Baseline = baseline, NumberOfEpochs = 2, BatchSize = 32, Seed = 5,
        }).Fit(data).Model.OutputWeights.ToArray();

        var untrained = Weights(optimizers.Untrained, null);
        var quadratic = Weights(OptimizerFiles.Quadratic, null);
        var sgd = Weights(null, BaselineKind.Sgd);

        Assert.Equal(untrained, Weights(optimizers.Untrained, null));
        Assert.Equal(sgd, Weights(null, BaselineKind.Sgd));
        Assert.True(Distance(untrained, sgd) > 1e-3, $"untrained learned vs SGD differ by only {Distance(untrained, sgd):E2}");
        Assert.True(Distance(quadratic, sgd) > 1e-3, $"quadratic learned vs SGD differ by only {Distance(quadratic, sgd):E2}");
        Assert.True(Distance(untrained, quadratic) > 1e-3, $"the two learned optimizers differ by only {Distance(untrained, quadratic):E2}");
    }

    [DataSetFact(DataSet.Mnist)]
    public void FirstStep_IsExactlyTheLearnedOptimizersUpdateOfTheFullBatchGradient()
    {
        const int rows = 100;
        var data = Rows.ThreeVersusFive(ml, 0, rows);
        var model = ml.BinaryClassification.Trainers.LearnedOptimizer(new LearnedOptimizerBinaryTrainer.Options
        {
            OptimizerPath = OptimizerFiles.Quadratic, NumberOfSteps = 1, BatchSize = rows, CenterFeatures = false,
        }).Fit(data).Model;

        var expected = FirstLearnedStep(data, rows, new float[784]);

        var actual = model.OutputWeights.Append(model.OutputBiases[0]).ToArray();
        Assert.Contains(expected, u => Math.Abs(u) > 1e-4);
        for (var j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-5 + 1e-3 * Math.Abs(expected[j]), $"parameter {j}: expected {expected[j]}, trained {actual[j]}");
    }

    [DataSetFact(DataSet.Mnist)]
    public void CenteredFeatures_TrainOnTheCenteredRows_AndTheModelTakesRawRows()
    {
        const int rows = 100;
        var data = Rows.ThreeVersusFive(ml, 0, rows);
        var model = ml.BinaryClassification.Trainers.LearnedOptimizer(new LearnedOptimizerBinaryTrainer.Options
        {
            OptimizerPath = OptimizerFiles.Quadratic, NumberOfSteps = 1, BatchSize = rows,
        }).Fit(data).Model;

        var features = data.GetColumn<float[]>("Features").ToArray();
        var mean = Enumerable.Range(0, 784).Select(j => features.Average(f => f[j])).ToArray();
        var step = FirstLearnedStep(data, rows, mean);
        // Trained on x - mean with weights w and bias c, the model is w . x + (c - w . mean).
        var expectedBias = step[784] - Enumerable.Range(0, 784).Sum(j => step[j] * mean[j]);

        Assert.Contains(mean, m => m > 0.05f);
        for (var j = 0; j < 784; j++)
            Assert.True(Math.Abs(step[j] - model.OutputWeights[j]) <= 1e-5 + 1e-3 * Math.Abs(step[j]), $"weight {j}: expected {step[j]}, trained {model.OutputWeights[j]}");
        Assert.True(Math.Abs(expectedBias - model.OutputBiases[0]) <= 1e-4 + 1e-3 * Math.Abs(expectedBias), $"bias: expected {expectedBias}, trained {model.OutputBiases[0]}");
        Assert.True(Math.Abs(expectedBias - step[784]) > 1e-3, "the fold did not move the bias: the test no longer tells centring from no centring");
    }

    /// <summary>
    /// The learned optimizer's first update of a zero-initialised logistic regression on the full batch of
    /// <paramref name="data"/> with each feature shifted by <paramref name="mean"/>: every logit is 0,
    /// sigmoid 0.5, and the log-loss gradient is mean((0.5 - y)(x - mean)).
    /// </summary>
    private static float[] FirstLearnedStep(IDataView data, int rows, float[] mean)
    {
        var features = data.GetColumn<float[]>("Features").ToArray();
        var labels = data.GetColumn<bool>("Label").ToArray();
        var gradient = new float[785];
        for (var i = 0; i < rows; i++)
        {
            var residual = (0.5f - (labels[i] ? 1 : 0)) / rows;
            for (var j = 0; j < 784; j++) gradient[j] += residual * (features[i][j] - mean[j]);
            gradient[784] += residual;
        }
        var step = new float[785];
        using var optimizer = LearnedOptimizer.Load(OptimizerFiles.Quadratic);
        using var state = optimizer.CreateState(step.Length);
        optimizer.Step(step, gradient, state);
        return step;
    }

    [DataSetFact(DataSet.Mnist)]
    public void NumberOfSteps_AndProgress_AreHonoured()
    {
        var data = Rows.ThreeVersusFive(ml, 0, 100);
        var reports = new List<TrainingProgress>();
        var model = ml.BinaryClassification.Trainers.LearnedOptimizer(new LearnedOptimizerBinaryTrainer.Options
        {
            OptimizerPath = OptimizerFiles.Quadratic, NumberOfSteps = 7, BatchSize = 30, ProgressInterval = 3, Progress = reports.Add,
        }).Fit(data);

        Assert.Equal([3, 6, 7], reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.Equal(7, r.TotalSteps));
        Assert.Equal(reports, model.Report.LossHistory);
        Assert.Equal(7, model.Report.Steps);
        Assert.Equal(100, model.Report.Rows);
        // Batches of 30, 30, 30, 10 make one epoch of 100 rows; then 30, 30, 30.
        Assert.Equal(1.9, reports[^1].Epoch, 6);
        Assert.Equal(1.9, model.Report.Epochs, 6);
        Assert.Equal("learned: quadratic.onnx", model.Report.Optimizer);
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss) && r.Loss > 0));
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
}
