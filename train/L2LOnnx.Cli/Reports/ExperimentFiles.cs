using System.Globalization;
using System.Text;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.Reports;

/// <summary>The files of one evaluated experiment: a figure per horizon (PNG and SVG) and the per-step curves as CSV.</summary>
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

    /// <summary>Writes every optimizer's per-step mean, 25 %, median and 75 % over problems (baselines at each tuned rate) as CSV, atomically.</summary>
    public static void WriteCsv(ExperimentResult result, string path)
    {
        var runs = new List<RunRecord> { result.Learned };
        runs.AddRange(result.Baselines.SelectMany(b => b.Runs));
        var curves = runs.Select(r => r.Curves()).ToArray();
        var text = new StringBuilder("step");
        foreach (var curve in curves)
            foreach (var statistic in new[] { "mean", "p25", "median", "p75" })
                text.Append(CultureInfo.InvariantCulture, $",\"{curve.Optimizer} {statistic}\"");
        text.Append('\n');
        for (var step = 0; step <= result.Horizons[^1]; step++)
        {
            text.Append(step.ToString(CultureInfo.InvariantCulture));
            foreach (var curve in curves)
                text.Append(step <= curve.Steps
                    ? string.Create(CultureInfo.InvariantCulture, $",{curve.Mean(step):R},{curve.Quantile(step, 0.25):R},{curve.Median(step):R},{curve.Quantile(step, 0.75):R}")
                    : ",,,,");
            text.Append('\n');
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string Name(ExperimentResult result, int horizon) => $"{result.Experiment.Slug}-{horizon}";
}
