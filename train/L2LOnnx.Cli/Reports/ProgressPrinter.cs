using System.Globalization;
using L2LOnnx.Train.MetaTraining;

namespace L2LOnnx.Cli.Reports;

/// <summary>
/// Prints meta-training progress as plain lines (readable in a terminal and in CI logs alike):
/// about twenty lines per run plus one per new best validation score.
/// </summary>
internal sealed class ProgressPrinter(int problemsPerTrajectory) : IProgress<MetaTrainingProgress>
{
    private double? lastBest;
    private int lastRollbacks;

    public void Report(MetaTrainingProgress p)
    {
        var every = Math.Max(1, p.Trajectories / 20);
        var improved = p.BestValidation is { } best && best != lastBest;
        lastBest = p.BestValidation;
        var rolledBack = p.Rollbacks != lastRollbacks;
        lastRollbacks = p.Rollbacks;
        if (p.Trajectory % every != 0 && p.Trajectory != p.Trajectories && !improved && !rolledBack) return;
        var rate = p.Trajectory / Math.Max(1e-9, p.Elapsed.TotalSeconds);
        var remaining = TimeSpan.FromSeconds((p.Trajectories - p.Trajectory) / Math.Max(1e-9, rate));
        var line = string.Create(CultureInfo.InvariantCulture,
            $"  trajectory {p.Trajectory,5}/{p.Trajectories}  meta-loss {p.MetaLoss,10:0.000}  " +
            $"validation {Show(p.Validation)} (best {Show(p.BestValidation)})  " +
            $"{Speed(rate)}  ETA {(int)remaining.TotalHours}:{remaining:mm\\:ss}");
        line += string.Create(CultureInfo.InvariantCulture, $"  meta-lr {p.MetaLearningRate:g3}");
        if (p.SkippedMetaSteps > 0) line += $"  skipped meta-steps {p.SkippedMetaSteps}";
        if (rolledBack) line += $"  collapse: back to the best weights (rollback {p.Rollbacks}, meta-lr halved from the next trajectory)";
        Console.WriteLine(line);
    }

    /// <summary>Problem-trajectories per second, or seconds per trajectory when slower than one a second (MNIST).</summary>
    private string Speed(double trajectoriesPerSecond) => trajectoriesPerSecond * problemsPerTrajectory >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{trajectoriesPerSecond * problemsPerTrajectory,7:0.0} problem-trajectories/s")
        : string.Create(CultureInfo.InvariantCulture, $"{1 / trajectoriesPerSecond,7:0.00} s/trajectory");

    private static string Show(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture).PadLeft(9) : "        -";
}
