using System.Globalization;
using System.Text;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Evaluation;
using Spectre.Console;

namespace L2LOnnx.Cli.Reports;

/// <summary>The summary table and CSV of an evaluation.</summary>
internal static class LossReport
{
    /// <summary>Prints mean loss at the given steps (and the median at the last) for every optimizer.</summary>
    public static void PrintTable(string title, IReadOnlyList<LossCurves> curves, IReadOnlyList<int> steps)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumn("optimizer");
        foreach (var step in steps) table.AddColumn(new TableColumn($"mean @{step}").RightAligned());
        table.AddColumn(new TableColumn($"median @{steps[^1]}").RightAligned());
        var bestFinal = curves.Min(c => c.Mean(steps[^1]));
        foreach (var curve in curves)
        {
            var cells = new List<string> { Markup.Escape(curve.Optimizer) };
            cells.AddRange(steps.Select(s => Format(curve.Mean(s))));
            cells.Add(Format(curve.Median(steps[^1])));
            if (curve.Mean(steps[^1]) == bestFinal) cells[steps.Count] = $"[bold green]{cells[steps.Count]}[/]";
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
    }

    /// <summary>Writes per-step mean and median of every optimizer as CSV (atomically).</summary>
    public static void WriteCsv(string path, IReadOnlyList<LossCurves> curves)
    {
        var text = new StringBuilder("step");
        foreach (var curve in curves) text.Append(CultureInfo.InvariantCulture, $",\"{curve.Optimizer} mean\",\"{curve.Optimizer} median\"");
        text.AppendLine();
        for (var step = 0; step <= curves[0].Steps; step++)
        {
            text.Append(step.ToString(CultureInfo.InvariantCulture));
            foreach (var curve in curves)
                text.Append(CultureInfo.InvariantCulture, $",{curve.Mean(step):R},{curve.Median(step):R}");
            text.AppendLine();
        }
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "diverged";
}
