using L2LOnnx.Runtime.Baselines;

namespace L2LOnnx.Train.Evaluation;

/// <summary>The learning rate a baseline was tuned to, and its score on the tuning problems.</summary>
/// <param name="Kind">Which baseline.</param>
/// <param name="LearningRate">The best learning rate on the grid.</param>
/// <param name="TuningLoss">Mean final loss on the tuning problems at that rate.</param>
public sealed record TunedBaseline(BaselineKind Kind, double LearningRate, double TuningLoss);

/// <summary>One learning rate of a tuning grid and the mean tuning loss it reached at each horizon (NaN where not run or diverged).</summary>
/// <param name="LearningRate">The rate.</param>
/// <param name="Losses">Mean loss over the tuning problems at each horizon, in the horizons' order.</param>
public sealed record GridPoint(double LearningRate, IReadOnlyList<double> Losses);

/// <summary>A baseline tuned separately for each horizon, with the whole grid it was chosen from.</summary>
/// <param name="Kind">Which baseline.</param>
/// <param name="Horizons">The horizons, ascending.</param>
/// <param name="Best">The tuned rate at each horizon, in <paramref name="Horizons"/>' order.</param>
/// <param name="Grid">Every rate tried and its mean tuning losses.</param>
public sealed record HorizonTuning(BaselineKind Kind, IReadOnlyList<int> Horizons, IReadOnlyList<TunedBaseline> Best, IReadOnlyList<GridPoint> Grid)
{
    /// <summary>The tuned rate for <paramref name="horizon"/>.</summary>
    public TunedBaseline At(int horizon)
    {
        var index = Horizons.ToList().IndexOf(horizon);
        if (index < 0) throw new ArgumentException($"{Kind} was not tuned for {horizon} steps (horizons {string.Join(", ", Horizons)})", nameof(horizon));
        return Best[index];
    }
}

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

    /// <summary>Rates of the first horizon's ranking that are also run to the longer horizons.</summary>
    public const int Finalists = 3;

    /// <summary>Tunes <paramref name="kind"/> on <paramref name="task"/> for <paramref name="steps"/> steps.</summary>
    public static TunedBaseline Tune(BaselineKind kind, IEvaluationTask task, int steps, IReadOnlyList<double>? grid = null) =>
        TuneAtHorizons(kind, task, [steps], grid).Best[0];

    /// <summary>
    /// Tunes <paramref name="kind"/> on <paramref name="task"/> separately for every horizon in
    /// <paramref name="horizons"/>: every grid rate runs to the shortest horizon; the
    /// <see cref="Finalists"/> best there (successive halving: a rate far behind at the shortest horizon
    /// does not win at ten times it on these families) run on to the longest, and each longer horizon
    /// takes the best of them. Baselines have no schedule, so one run serves every horizon it passes.
    /// </summary>
    /// <param name="kind">The baseline.</param>
    /// <param name="task">The tuning problems.</param>
    /// <param name="horizons">The horizons to tune for.</param>
    /// <param name="grid">The learning rates tried; <see cref="DefaultGrid"/> when null.</param>
    /// <param name="ran">Called after each run with the optimizer's name, e.g. to report progress.</param>
    public static HorizonTuning TuneAtHorizons(BaselineKind kind, IEvaluationTask task, IReadOnlyList<int> horizons, IReadOnlyList<double>? grid = null, Action<string>? ran = null)
    {
        var sorted = horizons.Distinct().Order().ToArray();
        if (sorted.Length == 0 || sorted[0] < 1) throw new ArgumentException("tuning needs at least one horizon of at least one step", nameof(horizons));
        grid ??= DefaultGrid;
        if (grid.Count == 0) throw new ArgumentException("the learning-rate grid is empty", nameof(grid));
        var losses = grid.Select(_ => Enumerable.Repeat(double.NaN, sorted.Length).ToArray()).ToArray();

        void Record(int rateIndex, int steps)
        {
            using var optimizer = Baseline.Create(kind, grid[rateIndex], task.ProblemCount * task.Dimension);
            var curves = Evaluator.Run(task, optimizer, steps);
            for (var h = 0; h < sorted.Length && sorted[h] <= steps; h++) losses[rateIndex][h] = curves.Mean(sorted[h]);
            ran?.Invoke(optimizer.Name);
        }

        for (var r = 0; r < grid.Count; r++) Record(r, sorted[0]);
        if (sorted.Length > 1)
        {
            var finalists = Enumerable.Range(0, grid.Count).Where(r => double.IsFinite(losses[r][0]))
                .OrderBy(r => losses[r][0]).Take(Finalists).ToArray();
            foreach (var r in finalists) Record(r, sorted[^1]);
        }

        var best = new TunedBaseline[sorted.Length];
        for (var h = 0; h < sorted.Length; h++)
        {
            TunedBaseline? winner = null;
            for (var r = 0; r < grid.Count; r++)
                // A diverged run (inf or NaN) never wins.
                if (double.IsFinite(losses[r][h]) && (winner is null || losses[r][h] < winner.TuningLoss))
                    winner = new TunedBaseline(kind, grid[r], losses[r][h]);
            // Every finalist diverging at a longer horizon is a result, not an error: keep the shorter horizon's
            // rate, whose held-out run then shows the divergence.
            best[h] = winner ?? (h > 0 ? best[h - 1] with { TuningLoss = double.NaN }
                : throw new InvalidOperationException($"{kind} diverged at every learning rate on the grid at {sorted[h]} steps"));
        }
        return new HorizonTuning(kind, sorted, best, grid.Select((rate, r) => new GridPoint(rate, losses[r])).ToArray());
    }
}
