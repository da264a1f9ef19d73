using System.Globalization;
using System.Text;
using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// Loss curves as CSV in long format, one value per row: <c>step,optimizer,statistic,value</c>, with the
/// statistics over problems <c>mean</c>, <c>median</c>, <c>q25</c> and <c>q75</c> (the interquartile
/// range). Long format loads directly into pandas, R or a spreadsheet pivot, whatever the optimizers.
/// </summary>
public static class LossCurvesCsv
{
    /// <summary>The header row.</summary>
    public const string Header = "step,optimizer,statistic,value";

    /// <summary>The statistics written for each step and optimizer, in order.</summary>
    public static IReadOnlyList<string> Statistics { get; } = ["mean", "median", "q25", "q75"];

    /// <summary>The CSV text of <paramref name="curves"/>: a header, then one row per step, optimizer and statistic.</summary>
    public static string Format(IReadOnlyList<LossCurves> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        var text = new StringBuilder(Header).Append('\n');
        foreach (var curve in curves)
        {
            var name = Quote(curve.Optimizer);
            for (var step = 0; step <= curve.Steps; step++)
            {
                double[] values = [curve.Mean(step), curve.Median(step), curve.Quantile(step, 0.25), curve.Quantile(step, 0.75)];
                for (var i = 0; i < values.Length; i++)
                    text.Append(CultureInfo.InvariantCulture, $"{step},{name},{Statistics[i]},{values[i]:R}\n");
            }
        }
        return text.ToString();
    }

    /// <summary>Writes <see cref="Format"/>'s text to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, IReadOnlyList<LossCurves> curves) =>
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(Format(curves)));

    /// <summary>A CSV field in double quotes, inner quotes doubled (optimizer names hold commas and parentheses).</summary>
    private static string Quote(string field) => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
