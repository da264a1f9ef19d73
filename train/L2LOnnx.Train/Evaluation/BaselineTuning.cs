using L2LOnnx.Runtime.Baselines;

namespace L2LOnnx.Train.Evaluation;

/// <summary>The learning rate a baseline was tuned to, and its score on the tuning problems.</summary>
/// <param name="Kind">Which baseline.</param>
/// <param name="LearningRate">The best learning rate on the grid.</param>
/// <param name="TuningLoss">Mean final loss on the tuning problems at that rate.</param>
public sealed record TunedBaseline(BaselineKind Kind, double LearningRate, double TuningLoss);

/// <summary>
/// Tunes the hand-designed baselines as the paper does: each one's learning rate is chosen on a log
/// grid for the lowest mean final loss on problems from the training distribution (not the held-out
/// ones they are then compared on).
/// </summary>
public static class BaselineTuning
{
    /// <summary>Learning rates 1e-4 .. 10 in steps of half a decade.</summary>
    public static IReadOnlyList<double> DefaultGrid { get; } =
        Enumerable.Range(0, 11).Select(i => Math.Pow(10, -4 + i * 0.5)).ToArray();

    /// <summary>Tunes <paramref name="kind"/> on <paramref name="task"/> for <paramref name="steps"/> steps.</summary>
    /// <param name="kind">The baseline.</param>
    /// <param name="task">The tuning problems.</param>
    /// <param name="steps">Steps per run.</param>
    /// <param name="grid">The learning rates tried; <see cref="DefaultGrid"/> when null.</param>
    /// <param name="ran">Called after each run with the optimizer's name, e.g. to report progress.</param>
    public static TunedBaseline Tune(BaselineKind kind, IEvaluationTask task, int steps, IReadOnlyList<double>? grid = null, Action<string>? ran = null)
    {
        TunedBaseline? best = null;
        foreach (var rate in grid ?? DefaultGrid)
        {
            using var optimizer = Baseline.Create(kind, rate, task.ProblemCount * task.Dimension);
            var final = Evaluator.Run(task, optimizer, steps).Mean(steps);
            ran?.Invoke(optimizer.Name);
            // A diverged run (inf or NaN) never wins.
            if (double.IsFinite(final) && (best is null || final < best.TuningLoss))
                best = new TunedBaseline(kind, rate, final);
        }
        return best ?? throw new InvalidOperationException($"{kind} diverged at every learning rate on the grid");
    }
}
