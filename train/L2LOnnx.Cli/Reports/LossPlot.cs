using L2LOnnx.Train.Evaluation;
using ScottPlot;

namespace L2LOnnx.Cli.Reports;

/// <summary>Loss-curve figures in the style of the paper's figures 2-4: mean loss per step, log scale.</summary>
internal static class LossPlot
{
    /// <summary>Writes a PNG of the mean loss curves of every optimizer.</summary>
    public static void Write(string path, string title, IReadOnlyList<LossCurves> curves)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < curves.Count; i++)
        {
            var mean = curves[i].MeanCurve();
            var xs = Enumerable.Range(0, mean.Length).Select(s => (double)s).ToArray();
            // ScottPlot draws log axes by plotting log10 values and labelling ticks as powers of ten.
            var ys = mean.Select(v => Math.Log10(Math.Max(v, 1e-12))).ToArray();
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
        plot.YLabel("mean loss (log scale)");
        plot.ShowLegend(Alignment.UpperRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 560);
    }
}
