using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.Reports;

/// <summary>The figures of one evaluated experiment (a PNG and an SVG per horizon) and the curves they and the CSV show.</summary>
internal static class ExperimentFiles
{
    /// <summary>The curves shown at <paramref name="horizon"/>: the learned optimizer's, then each baseline at the rate tuned for that horizon.</summary>
    public static IReadOnlyList<LossCurves> CurvesAt(ExperimentResult result, int horizon) =>
        [result.Learned.Curves() with { Optimizer = "learned" }, .. result.Baselines.Select(b => b.At(horizon).Curves())];

    /// <summary>Writes <c>&lt;slug&gt;-&lt;horizon&gt;.png/.svg</c> per horizon into <paramref name="folder"/>; returns the base name (no extension) per horizon.</summary>
    public static Func<int, string> WriteFigures(ExperimentResult result, string folder)
    {
        foreach (var horizon in result.Horizons)
            BandPlot.Write(Path.Combine(folder, Name(result, horizon)),
                $"{result.Experiment.Title}: {result.Problems} held-out problems, {horizon} steps", CurvesAt(result, horizon), horizon);
        return horizon => Name(result, horizon);
    }

    /// <summary>Every run's curves: the learned optimizer's, then each baseline at each of its tuned rates.</summary>
    public static IReadOnlyList<LossCurves> AllCurves(ExperimentResult result) =>
        [result.Learned.Curves() with { Optimizer = "learned" }, .. result.Baselines.SelectMany(b => b.Runs).Select(r => r.Curves())];

    private static string Name(ExperimentResult result, int horizon) => $"{result.Experiment.Slug}-{horizon}";
}
