using System.Diagnostics;
using L2LOnnx.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// Fits one trainer on a task's training rows and scores it on its test rows with ML.NET's own evaluator,
/// so that every trainer, learned or not, is measured by the same code.
/// </summary>
internal static class TrainerMeasurement
{
    /// <summary>
    /// The trainer's test metrics and fit time; a trainer that diverges gives a row with
    /// <see cref="ComparisonRow.Error"/> <c>diverged</c> instead of stopping the comparison.
    /// </summary>
    public static ComparisonRow Measure(MLContext ml, ComparisonTask task, string trainer, IEstimator<ITransformer> estimator, Action<string> log)
    {
        var pipeline = task.Preparation.Append(estimator);
        var clock = Stopwatch.StartNew();
        ITransformer model;
        try
        {
            model = pipeline.Fit(task.Train);
        }
        catch (TrainingDivergedException e)
        {
            log($"  {trainer}: {e.Message}");
            return new ComparisonRow(task.Title, trainer, [], clock.Elapsed.TotalSeconds, "diverged");
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var scored = model.Transform(task.Test);
        IReadOnlyList<(string, double)> metrics = task.Kind switch
        {
            TaskKind.Multiclass => Multiclass(ml.MulticlassClassification.Evaluate(scored)),
            TaskKind.Binary => Binary(ml.BinaryClassification.Evaluate(scored)),
            _ => Regression(ml.Regression.Evaluate(scored)),
        };
        log($"  {trainer}: {string.Join(", ", metrics.Select(m => $"{m.Item1} {m.Item2:0.0000}"))}, fit {seconds:0.00} s");
        return new ComparisonRow(task.Title, trainer, metrics, seconds);
    }

    private static (string, double)[] Multiclass(MulticlassClassificationMetrics m) => [("accuracy", m.MicroAccuracy), ("log-loss", m.LogLoss)];

    private static (string, double)[] Binary(CalibratedBinaryClassificationMetrics m) => [("accuracy", m.Accuracy), ("log-loss", m.LogLoss), ("AUC", m.AreaUnderRocCurve)];

    private static (string, double)[] Regression(RegressionMetrics m) => [("RMSE", m.RootMeanSquaredError), ("R²", m.RSquared)];
}
