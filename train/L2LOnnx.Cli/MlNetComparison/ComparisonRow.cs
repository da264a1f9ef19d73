namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>One trainer's result on one task; <see cref="Error"/> is set when it failed (e.g. diverged).</summary>
internal sealed record ComparisonRow(string Task, string Trainer, IReadOnlyList<(string Name, double Value)> Metrics, double Seconds, string? Error = null)
{
    /// <summary>Which trainer this is.</summary>
    public TrainerRole Role { get; init; } = TrainerRole.Other;

    /// <summary>Epochs of the learned-optimizer trainers in this run.</summary>
    public int Epochs { get; init; }

    /// <summary>
    /// The run's seed (<see cref="ComparisonSettings.Seed"/>), so that a summary over <c>--seeds</c> can pair
    /// each seed's learned row with the same seed's Adam row.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>Adam's learning rate picked on the validation split (tuned Adam rows only).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Accuracy, or R² for regression (higher is better); negative infinity when absent (a failed row).</summary>
    public double Quality => Metrics.Where(m => m.Name is "accuracy" or "R²").Select(m => m.Value).DefaultIfEmpty(double.NegativeInfinity).First();

    /// <summary>
    /// Log-loss, or RMSE for regression (lower is better); positive infinity when absent (a failed row), so
    /// that Adam's tuning and the summary both rank a failure last.
    /// </summary>
    public double Loss => Metrics.Where(m => m.Name is "log-loss" or "RMSE").Select(m => m.Value).DefaultIfEmpty(double.PositiveInfinity).First();
}
