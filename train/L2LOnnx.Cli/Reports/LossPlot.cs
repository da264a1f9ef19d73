using L2LOnnx.Train.Evaluation;
using ScottPlot;

namespace L2LOnnx.Cli.Reports;

/// <summary>Loss-curve figures in the style of the paper's figures 2-4: loss per step over problems, log scale.</summary>
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

    /// <summary>Writes a PNG of the <paramref name="statistic"/> loss curve of every optimizer; the first (the learned one) is drawn thickest.</summary>
    public static void Write(string path, string title, IReadOnlyList<LossCurves> curves, Statistic statistic)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < curves.Count; i++)
        {
            var values = statistic == Statistic.Mean ? curves[i].MeanCurve() : curves[i].MedianCurve();
            var xs = Enumerable.Range(0, values.Length).Select(s => (double)s).ToArray();
            // ScottPlot draws log axes by plotting log10 values and labelling ticks as powers of ten.
            var ys = values.Select(v => Math.Log10(Math.Max(v, 1e-12))).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = curves[i].Optimizer;
            line.LineWidth = i == 0 ? 3 : 1.5f;
            line.Color = palette.GetColor(i);
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"{Math.Pow(10, y):g3}",
        };
        plot.Title(title);
        plot.XLabel("optimizee step");
        plot.YLabel($"{(statistic == Statistic.Mean ? "mean" : "median")} loss (log scale)");
        plot.ShowLegend(Alignment.UpperRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 560);
    }
}
