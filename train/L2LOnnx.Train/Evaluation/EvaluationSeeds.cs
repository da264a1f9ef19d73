namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// The seeds of the two sets of problems of an evaluation: baselines are tuned on problems drawn with
/// <see cref="Tuning"/>, every optimizer is reported on problems drawn with <see cref="Evaluation"/>.
/// They must differ, so tuning never sees a reported problem.
/// </summary>
public sealed record EvaluationSeeds
{
    /// <summary>Seeds <paramref name="tuning"/> and <paramref name="evaluation"/>.</summary>
    /// <exception cref="ArgumentException">They are equal.</exception>
    public EvaluationSeeds(int tuning, int evaluation)
    {
        if (tuning == evaluation)
            throw new ArgumentException($"the tuning and evaluation seeds are both {tuning}: baselines would be tuned on the reported problems; pick different seeds");
        Tuning = tuning;
        Evaluation = evaluation;
    }

    /// <summary>The default pair: tuning 2016, evaluation 2017 (as every report so far).</summary>
    public static EvaluationSeeds Default { get; } = new(2016, 2017);

    /// <summary>Seed of the tuning problems.</summary>
    public int Tuning { get; }

    /// <summary>Seed of the reported (held-out) problems.</summary>
    public int Evaluation { get; }
}
