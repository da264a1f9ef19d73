using L2LOnnx.Train.Evaluation;
using ScottPlot;

namespace L2LOnnx.Cli.Reports;

/// <summary>
/// The protocol's figure: for every optimizer the median loss over problems per step, with the 25-75 %
/// band over problems shaded, on a log scale up to one horizon; written as PNG and SVG.
/// </summary>
internal static class BandPlot
{
    /// <summary>Writes <paramref name="path"/>.png and <paramref name="path"/>.svg; the first curve (the learned optimizer) is drawn thickest.</summary>
    public static void Write(string path, string title, IReadOnlyList<LossCurves> curves, int horizon)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var low = double.PositiveInfinity;
        var high = double.NegativeInfinity;
        // ScottPlot draws log axes by plotting log10 values and labelling the ticks with the values.
        static double Log(double v) => Math.Log10(Math.Clamp(double.IsNaN(v) ? double.MaxValue : v, 1e-12, 1e12));
        for (var i = 0; i < curves.Count; i++)
        {
            var steps = Math.Min(horizon, curves[i].Steps);
            var xs = Enumerable.Range(0, steps + 1).Select(s => (double)s).ToArray();
            var median = xs.Select(s => Log(curves[i].Median((int)s))).ToArray();
            var lower = xs.Select(s => Log(curves[i].Quantile((int)s, 0.25))).ToArray();
            var upper = xs.Select(s => Log(curves[i].Quantile((int)s, 0.75))).ToArray();
            foreach (var y in median.Concat(lower).Concat(upper)) { low = Math.Min(low, y); high = Math.Max(high, y); }
            var color = palette.GetColor(i);
            var band = plot.Add.FillY(xs, lower, upper);
            band.FillStyle.Color = color.WithAlpha(0.18);
            band.LineStyle.Width = 0;
            var line = plot.Add.ScatterLine(xs, median);
            line.LegendText = curves[i].Optimizer;
            line.LineWidth = i == 0 ? 3 : 1.5f;
            line.Color = color;
        }
        if (low <= high) plot.Axes.Left.TickGenerator = LogTicks(low, high);
        plot.Title(title);
        plot.XLabel("optimizee step");
        plot.YLabel("loss: median and 25-75 % over problems (log scale)");
        plot.ShowLegend(Alignment.UpperRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path + ".png", 900, 560);
        plot.SaveSvg(path + ".svg", 900, 560);
    }

    /// <summary>
    /// Ticks for a log10 axis spanning [<paramref name="low"/>, <paramref name="high"/>]: powers of ten
    /// over two decades or more, else 1, 2 and 5 times powers of ten, so a curve within one decade still
    /// gets labelled ticks.
    /// </summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(double low, double high)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        double[] mantissas = high - low >= 2 ? [1] : [1, 2, 5];
        for (var exponent = (int)Math.Floor(low); exponent <= (int)Math.Ceiling(high); exponent++)
            foreach (var mantissa in mantissas)
            {
                var position = exponent + Math.Log10(mantissa);
                if (position >= low - 0.05 && position <= high + 0.05)
                    ticks.AddMajor(position, (mantissa * Math.Pow(10, exponent)).ToString("g3", System.Globalization.CultureInfo.InvariantCulture));
            }
        return ticks;
    }
}
