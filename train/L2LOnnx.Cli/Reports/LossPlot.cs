using L2LOnnx.Train.Evaluation;
using ScottPlot;

namespace L2LOnnx.Cli.Reports;

/// <summary>
/// Loss-curve figures in the style of the paper's figures 2-4: loss per step over problems, log scale,
/// each curve over a light band that spans its interquartile range over problems; as PNG and SVG.
/// </summary>
internal static class LossPlot
{
    /// <summary>Which statistic over problems each curve shows.</summary>
    public enum Statistic
    {
        /// <summary>Mean over problems (the paper's figures).</summary>
        Mean,

        /// <summary>Median over problems (robust to the few problems an optimizer diverges on).</summary>
        Median,
    }

    /// <summary>
    /// Writes the <paramref name="statistic"/> loss curve of every optimizer, the first (the learned one)
    /// thickest, as PNG at <paramref name="path"/> and as SVG next to it; returns both paths.
    /// </summary>
    public static (string Png, string Svg) Write(string path, string title, IReadOnlyList<LossCurves> curves, Statistic statistic)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var low = double.PositiveInfinity;
        var high = double.NegativeInfinity;
        for (var i = 0; i < curves.Count; i++)
        {
            var values = statistic == Statistic.Mean ? curves[i].MeanCurve() : curves[i].MedianCurve();
            var xs = Enumerable.Range(0, values.Length).Select(s => (double)s).ToArray();
            // ScottPlot draws log axes by plotting log10 values and labelling the ticks with the values.
            var ys = values.Select(Log).ToArray();
            var lower = curves[i].QuantileCurve(0.25).Select(Log).ToArray();
            var upper = curves[i].QuantileCurve(0.75).Select(Log).ToArray();
            foreach (var y in ys.Concat(lower).Concat(upper).Where(double.IsFinite)) { low = Math.Min(low, y); high = Math.Max(high, y); }
            var band = plot.Add.FillY(xs, lower, upper);
            band.FillColor = palette.GetColor(i).WithAlpha(0.12);
            band.LineWidth = 0;
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = curves[i].Optimizer;
            line.LineWidth = i == 0 ? 3 : 1.5f;
            line.Color = palette.GetColor(i);
        }
        if (low <= high) plot.Axes.Left.TickGenerator = LogTicks(low, high);
        plot.Title(title);
        plot.XLabel("optimizee step");
        plot.YLabel($"{(statistic == Statistic.Mean ? "mean" : "median")} loss, log scale (bands: middle 50% of problems)");
        plot.ShowLegend(Alignment.UpperRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var svg = Path.ChangeExtension(path, ".svg");
        plot.SavePng(path, 900, 560);
        plot.SaveSvg(svg, 900, 560);
        return (path, svg);
    }

    private static double Log(double value) => Math.Log10(Math.Max(value, 1e-12));

    /// <summary>
    /// Ticks for a log10 axis spanning [<paramref name="low"/>, <paramref name="high"/>]: powers of ten
    /// over two decades or more, else 1, 2 and 5 times powers of ten, so a curve within one decade (MNIST
    /// losses between 0.2 and 2.3) still gets labelled ticks.
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
