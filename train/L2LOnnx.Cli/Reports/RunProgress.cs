using L2LOnnx.Train.Evaluation;
using Spectre.Console;

namespace L2LOnnx.Cli.Reports;

/// <summary>
/// Shows how far a long evaluation has come, with its ETA: Spectre.Console's progress display when
/// stdout is a terminal, plain lines (one per tenth of the runs) when it is redirected to a file or CI log.
/// </summary>
internal static class RunProgress
{
    /// <summary>
    /// Runs <paramref name="work"/>, handing it a progress sink and a log for lines to print meanwhile
    /// (written above the progress display on a terminal, so they do not tear it).
    /// </summary>
    public static T Show<T>(string description, Func<IProgress<EvaluationProgress>, Action<string>, T> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return work(new Lines(description), Console.WriteLine);
        return AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: 1);
                return work(new Bar(task, description), line => AnsiConsole.WriteLine(line));
            });
    }

    /// <summary>A progress bar whose description names the last run.</summary>
    private sealed class Bar(ProgressTask task, string description) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value)
        {
            task.MaxValue = value.Total;
            task.Value = value.Done;
            task.Description = Markup.Escape($"{description}: {value.Run}");
        }
    }

    /// <summary>Plain lines, each tenth of the runs (and the last), with elapsed time and ETA.</summary>
    private sealed class Lines(string description) : IProgress<EvaluationProgress>
    {
        private int lastTenth = -1;

        public void Report(EvaluationProgress value)
        {
            var tenth = value.Done * 10 / Math.Max(1, value.Total);
            if (tenth == lastTenth && value.Done != value.Total) return;
            lastTenth = tenth;
            Console.WriteLine($"  {description}: {value}");
        }
    }
}
