using System.Diagnostics;
using System.Text;
using L2LOnnx.Cli.Reports;
using L2LOnnx.MLNet;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Evaluation;
using Microsoft.ML;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// Runs the comparison: for each epochs count, seed and task, tunes Adam on a validation split, fits and
/// scores every trainer, prints a table, and writes <c>results.md</c> and <c>results.csv</c> per epochs count
/// (and seed, over several) and <c>summary.md</c> over all of them.
/// </summary>
internal static class ComparisonRunner
{
    /// <summary>
    /// Runs the comparison at each of <paramref name="epochs"/> (into <c>{output}/{n}-epochs</c>), with
    /// <paramref name="diabetesEpochs"/> given at <see cref="ComparisonSettings.DefaultEpochs"/> and scaled
    /// with each count, for <paramref name="seeds"/> seeds from <paramref name="settings"/>' seed on (over
    /// more than one, each seed into <c>{output}/{n}-epochs/seed-{s}</c>, and the summary paired by seed);
    /// writes and prints the summary; returns every row.
    /// </summary>
    public static IReadOnlyList<ComparisonRow> RunAtEachEpochs(ComparisonSettings settings, IReadOnlyList<int> epochs, IReadOnlyList<string> tasks,
        int fashionRows, int diabetesEpochs, string output, int seeds = 1)
    {
        if (seeds < 1) throw new ArgumentException($"--seeds must be positive, got {seeds}");
        if (settings.Seed > int.MaxValue - (seeds - 1)) throw new ArgumentException($"--seed {settings.Seed} with --seeds {seeds} runs past the largest seed, {int.MaxValue}");
        var rows = new List<ComparisonRow>();
        foreach (var count in epochs.Distinct())
        {
            if (count < 1) throw new ArgumentException($"--epochs must be positive, got {count}");
            // Seeds inside epochs: an interrupted run then holds whole epochs counts, every seed of each (what pairing needs), not a few seeds of every count.
            for (var i = 0; i < seeds; i++)
            {
                var seed = settings.Seed + i;
                var folder = Path.Combine(output, $"{count}-epochs");
                var label = "";
                if (seeds > 1)
                {
                    // One seed keeps today's layout; several need a folder each, or each seed's tables would overwrite the last.
                    folder = Path.Combine(folder, $"seed-{seed}");
                    label = $", seed {i + 1} of {seeds}";
                    Console.WriteLine($"=== seed {seed} ({i + 1} of {seeds}) at {count} epochs ===");
                }
                rows.AddRange(Run(settings with { Epochs = count, Seed = seed }, tasks, fashionRows,
                    Math.Max(1, diabetesEpochs * count / ComparisonSettings.DefaultEpochs), folder, label));
            }
        }
        var summaryPath = Path.Combine(output, "summary.md");
        var summary = ComparisonSummary.Markdown(rows);
        AtomicFile.WriteAllBytes(summaryPath, Encoding.UTF8.GetBytes(summary));
        Console.WriteLine(summary);
        Console.WriteLine($"wrote {summaryPath}");
        return rows;
    }

    /// <summary>
    /// Runs the tasks at <paramref name="settings"/>' epochs (Diabetes at <paramref name="diabetesEpochs"/>) and
    /// seed, and writes their tables into <paramref name="output"/>; returns every row, each carrying the seed.
    /// <paramref name="progressLabel"/> is appended to each task's progress line (e.g. <c>, seed 2 of 5</c>).
    /// </summary>
    public static IReadOnlyList<ComparisonRow> Run(ComparisonSettings settings, IReadOnlyList<string> tasks, int fashionRows, int diabetesEpochs, string output,
        string progressLabel = "")
    {
        var optimizerSource = settings.Optimizer ?? DefaultLearnedOptimizer.Source;
        Console.WriteLine($"learned optimizer: {optimizerSource}; {settings.Epochs} epochs ({diabetesEpochs} on Diabetes), batch {settings.BatchSize}, {settings.Threads} thread(s), seed {settings.Seed}");
        var rows = new List<ComparisonRow>();
        var names = tasks.Distinct().ToArray();
        for (var t = 0; t < names.Length; t++)
        {
            // A fresh context per task, so that a task's random draws do not depend on which tasks ran before it.
            var ml = new MLContext(settings.Seed);
            var task = ComparisonTasks.Load(ml, names[t], fashionRows, settings.Seed);
            Console.WriteLine($"== {task.Title}: {Count(task.Train)} training rows, {Count(task.Test)} test rows ==");
            var taskSettings = settings with { Epochs = task.Kind == TaskKind.Regression ? diabetesEpochs : settings.Epochs };
            var rate = AdamTuning.PickLearningRate(ml, task, taskSettings);
            var trainers = ComparisonTrainers.Roster(ml, task.Kind, taskSettings, rate).ToArray();
            var taskRows = RunProgress.Show($"{names[t]} (task {t + 1}/{names.Length}{progressLabel})", (progress, log) =>
            {
                var clock = Stopwatch.StartNew();
                var measured = new List<ComparisonRow>();
                foreach (var (trainer, role, estimator) in trainers)
                {
                    // Rows carry the run's --epochs, not Diabetes's scaled count, so that the summary's --epochs column says how the run was asked for.
                    measured.Add(TrainerMeasurement.Measure(ml, task, trainer, estimator, log)
                        with { Role = role, Epochs = settings.Epochs, Seed = settings.Seed, LearningRate = role == TrainerRole.TunedAdam ? rate : null });
                    progress.Report(new EvaluationProgress(trainer, measured.Count, trainers.Length, clock.Elapsed));
                }
                return measured;
            });
            ResultTables.Print(task.Title, taskRows);
            rows.AddRange(taskRows);
        }
        Directory.CreateDirectory(output);
        AtomicFile.WriteAllBytes(Path.Combine(output, "results.md"), Encoding.UTF8.GetBytes(ResultTables.Markdown(rows)));
        AtomicFile.WriteAllBytes(Path.Combine(output, "results.csv"), Encoding.UTF8.GetBytes(ResultTables.Csv(rows)));
        Console.WriteLine($"wrote {Path.Combine(output, "results.md")} and results.csv");
        return rows;
    }

    /// <summary>A data view's rows; a cached view may not know its count until it is read.</summary>
    private static long Count(IDataView data) => data.GetRowCount() ?? data.Preview(int.MaxValue).RowView.Length;
}
