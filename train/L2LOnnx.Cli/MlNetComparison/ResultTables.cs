using System.Globalization;
using System.Text;
using Spectre.Console;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// A task's rows as one table a trainer a row and a metric a column: on the console, in Markdown
/// (<c>results.md</c>) and as long-format CSV (<c>results.csv</c>, one metric a line, for scripts).
/// </summary>
internal static class ResultTables
{
    /// <summary>Prints one task's rows as a console table titled <paramref name="title"/>.</summary>
    public static void Print(string title, IReadOnlyList<ComparisonRow> rows)
    {
        var names = rows.First(r => r.Error is null).Metrics.Select(m => m.Name).ToArray();
        var table = new Table().Title(Markup.Escape(title)).AddColumn("trainer");
        foreach (var name in names) table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        table.AddColumn(new TableColumn("fit (s)").RightAligned());
        foreach (var row in rows)
            table.AddRow([Markup.Escape(row.Trainer), .. Cells(row, names.Length), row.Seconds.ToString("0.00", CultureInfo.InvariantCulture)]);
        AnsiConsole.Write(table);
    }

    /// <summary>One Markdown table a task, each under its title in bold.</summary>
    public static string Markdown(IReadOnlyList<ComparisonRow> rows)
    {
        var text = new StringBuilder();
        foreach (var group in rows.GroupBy(r => r.Task))
        {
            var names = group.First(r => r.Error is null).Metrics.Select(m => m.Name).ToArray();
            text.AppendLine(CultureInfo.InvariantCulture, $"**{group.Key}**").AppendLine();
            text.AppendLine($"| trainer | {string.Join(" | ", names)} | fit (s) |");
            text.AppendLine($"|---|{string.Concat(names.Select(_ => "---:|"))}---:|");
            foreach (var row in group)
                text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Trainer} | {string.Join(" | ", Cells(row, names.Length))} | {row.Seconds:0.00} |");
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>
    /// A line per row and metric, values round-tripped (<c>R</c>) so that scripts read the exact numbers;
    /// a failed row gives one line with its error in the metric column.
    /// </summary>
    public static string Csv(IReadOnlyList<ComparisonRow> rows)
    {
        var text = new StringBuilder("task,trainer,metric,value,fit_seconds\n");
        foreach (var row in rows)
        {
            if (row.Error is not null) text.AppendLine(CultureInfo.InvariantCulture, $"\"{row.Task}\",\"{row.Trainer}\",{row.Error},,{row.Seconds:R}");
            foreach (var (name, value) in row.Metrics)
                text.AppendLine(CultureInfo.InvariantCulture, $"\"{row.Task}\",\"{row.Trainer}\",{name},{value:R},{row.Seconds:R}");
        }
        return text.ToString();
    }

    /// <summary>A row's metric cells; a failed row has no metrics, so its error fills every metric column.</summary>
    private static string[] Cells(ComparisonRow row, int count) =>
        row.Error is null ? row.Metrics.Select(m => m.Value.ToString("0.0000", CultureInfo.InvariantCulture)).ToArray() : Enumerable.Repeat(row.Error, count).ToArray();
}
