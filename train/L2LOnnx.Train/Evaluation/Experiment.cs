using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Evaluation;

/// <summary>One evaluation of a learned optimizer: which model, on which held-out problems, to which horizons.</summary>
/// <param name="Slug">File-name-safe identifier, e.g. <c>mnist</c>; names the figures and cache files.</param>
/// <param name="Title">Heading of the report section.</param>
/// <param name="Models">The model file, or <c>group=file</c> per parameter group.</param>
/// <param name="Problem">The problem family.</param>
/// <param name="Definition">What held-out means for it.</param>
/// <param name="Horizons">Steps at which every optimizer is judged, ascending; baselines are tuned for each. The runs go to the last.</param>
public sealed record Experiment(string Slug, string Title, IReadOnlyList<string> Models, ProblemSpec Problem, HeldOutDefinition Definition, IReadOnlyList<int> Horizons)
{
    /// <summary>
    /// The model's meta-training horizon T, which the reports label the horizons by; null: the first horizon is T
    /// (the protocol's own horizons start there). Set it when the horizons were chosen by hand, e.g. 100 and
    /// 1,000 steps for a model meta-trained on 1,000-step trajectories.
    /// </summary>
    public int? MetaTrainingHorizon { get; init; }

    /// <summary>
    /// The protocol's horizons for a model meta-trained on <paramref name="metaTrainingHorizon"/>-step
    /// trajectories: that horizon and ten times it, with any <paramref name="extra"/> steps in between.
    /// </summary>
    public static IReadOnlyList<int> ProtocolHorizons(int metaTrainingHorizon, params int[] extra)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(metaTrainingHorizon);
        return extra.Append(metaTrainingHorizon).Append(10 * metaTrainingHorizon).Where(h => h > 0 && h <= 10 * metaTrainingHorizon).Distinct().Order().ToArray();
    }

    /// <summary>Throws when the experiment cannot run.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Slug);
        if (Slug.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"experiment slug '{Slug}' may hold only letters, digits, '-' and '_'");
        if (Models.Count == 0) throw new ArgumentException($"experiment '{Slug}' names no model");
        if (Horizons.Count == 0 || Horizons[0] < 1 || Horizons.Zip(Horizons.Skip(1)).Any(p => p.Second <= p.First))
            throw new ArgumentException($"experiment '{Slug}': horizons must be ascending positive step counts, got {string.Join(", ", Horizons)}");
    }
}
