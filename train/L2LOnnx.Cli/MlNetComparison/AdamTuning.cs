using System.Globalization;
using Microsoft.ML;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// Picks Adam's learning rate for the learned optimizer's trainer, so that the learned optimizer is
/// compared with a tuned Adam rather than with a guess, without the test rows leaking into the choice.
/// </summary>
internal static class AdamTuning
{
    /// <summary>
    /// Adam's learning rate for the same trainer: the grid rate with the lowest validation loss (log-loss, or
    /// RMSE for regression) after fitting on the training rows minus a validation split; the test rows are never seen.
    /// </summary>
    public static double PickLearningRate(MLContext ml, ComparisonTask task, ComparisonSettings s)
    {
        if (s.AdamGrid.Count == 0) throw new ArgumentException("--adam-grid needs at least one learning rate");
        var split = ml.Data.TrainTestSplit(task.Train, testFraction: s.ValidationFraction, seed: s.Seed);
        var best = (Rate: double.NaN, Loss: double.PositiveInfinity);
        var tuningTask = task with { Train = ml.Data.Cache(split.TrainSet), Test = ml.Data.Cache(split.TestSet) };
        foreach (var rate in s.AdamGrid)
        {
            var estimator = ComparisonTrainers.Roster(ml, task.Kind, s, rate).First(t => t.Role == TrainerRole.TunedAdam).Estimator;
            var row = TrainerMeasurement.Measure(ml, tuningTask, $"  tuning Adam(lr={rate.ToString("G3", CultureInfo.InvariantCulture)}) on the validation split", estimator, Console.WriteLine);
            if (row.Error is null && double.IsFinite(row.Loss) && row.Loss < best.Loss) best = (rate, row.Loss);
        }
        if (double.IsNaN(best.Rate)) throw new InvalidOperationException($"{task.Title}: Adam diverged at every learning rate of the grid on the validation split");
        var edge = best.Rate == s.AdamGrid.Min() || best.Rate == s.AdamGrid.Max() ? "; at the edge of the grid, widen --adam-grid" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Adam's learning rate for {s.Epochs} epochs: {best.Rate:G3} (validation loss {best.Loss:0.0000}{edge})"));
        return best.Rate;
    }
}
