using System.Globalization;
using L2LOnnx.Train.Evaluation;
using Spectre.Console;

namespace L2LOnnx.Cli.Reports;

/// <summary>The summary table of an evaluation.</summary>
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

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "diverged";
}
