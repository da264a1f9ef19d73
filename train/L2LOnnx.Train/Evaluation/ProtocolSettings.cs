namespace L2LOnnx.Train.Evaluation;

/// <summary>How many problems, which seeds and grid, and where to cache: the knobs of the evaluation protocol.</summary>
public sealed record ProtocolSettings
{
    /// <summary>Held-out problems of a family over data (at least 20 for a paired comparison that separates close optimizers).</summary>
    public int Problems { get; init; } = 20;

    /// <summary>Held-out quadratics (cheap: plain C#).</summary>
    public int QuadraticProblems { get; init; } = 100;

    /// <summary>Tuning problems of a family over data, drawn with the tuning seed.</summary>
    public int TuningProblems { get; init; } = 10;

    /// <summary>Tuning quadratics.</summary>
    public int QuadraticTuningProblems { get; init; } = 100;

    /// <summary>Seeds of the tuning and the held-out problems (always different).</summary>
    public EvaluationSeeds Seeds { get; init; } = EvaluationSeeds.Default;

    /// <summary>The baselines' learning-rate grid.</summary>
    public IReadOnlyList<double> Grid { get; init; } = BaselineTuning.DefaultGrid;

    /// <summary>Threads of the learned optimizer's engine during the runs (timings always use one).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Folder of cached per-task results (e.g. <c>out/results-cache</c>); null caches nothing.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Held-out problems of <paramref name="experiment"/>.</summary>
    public int ProblemsOf(Experiment experiment) => experiment.Problem.Kind == L2LOnnx.Train.Problems.ProblemKind.Quadratic ? QuadraticProblems : Problems;

    /// <summary>Tuning problems of <paramref name="experiment"/>.</summary>
    public int TuningProblemsOf(Experiment experiment) => experiment.Problem.Kind == L2LOnnx.Train.Problems.ProblemKind.Quadratic ? QuadraticTuningProblems : TuningProblems;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Problems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(QuadraticProblems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TuningProblems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(QuadraticTuningProblems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Threads);
        if (Grid.Count == 0 || Grid.Any(r => !(r > 0 && double.IsFinite(r)))) throw new ArgumentException("the learning-rate grid needs positive finite rates");
    }
}
