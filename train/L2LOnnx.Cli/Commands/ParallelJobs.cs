using System.Diagnostics;
using System.Globalization;
using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// Runs groups of <c>l2l results</c> experiments in child processes (<c>--compute-only</c>), at most
/// <see cref="ResultsReport.Settings.Jobs"/> at once, all on the same cache; forwards their output
/// line by line. One process per job because TorchSharp does not run two of these tasks safely on two
/// threads of one process.
/// </summary>
internal static class ParallelJobs
{
    /// <summary>Runs every group, handing the children's output lines to <paramref name="log"/>; throws if a child fails.</summary>
    public static void Run(ResultsReport.Settings s, IReadOnlyList<string[]> groups, Action<string> log)
    {
        var (program, prefix) = Self();
        using var slots = new SemaphoreSlim(s.Jobs);
        var failures = new List<string>();
        var tasks = groups.Select(group => Task.Run(async () =>
        {
            await slots.WaitAsync();
            try
            {
                var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var argument in prefix.Concat(Arguments(s, group))) start.ArgumentList.Add(argument);
                using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
                child.OutputDataReceived += (_, e) => { if (e.Data is { } line) log(line); };
                child.ErrorDataReceived += (_, e) => { if (e.Data is { } line) log($"[{group[0]}] error: {line}"); };
                child.BeginOutputReadLine();
                child.BeginErrorReadLine();
                await child.WaitForExitAsync();
                if (child.ExitCode != 0)
                    lock (failures) failures.Add($"{string.Join(" ", group)} (exit code {child.ExitCode})");
            }
            finally
            {
                slots.Release();
            }
        })).ToArray();
        Task.WaitAll(tasks);
        if (failures.Count > 0) throw new InvalidOperationException($"a parallel job failed: {string.Join("; ", failures)}; its error output is above");
    }

    private static IEnumerable<string> Arguments(ResultsReport.Settings s, string[] group)
    {
        var p = s.Protocol;
        string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
        return ["results", "--compute-only", "--jobs", "1", "--models", s.Models, "--out", s.Output, "--cache", p.CacheDirectory ?? "out/results-cache",
            "--problems", Number(p.Problems), "--quadratic-problems", Number(p.QuadraticProblems), "--tuning-problems", Number(p.TuningProblems),
            "--seed", Number(p.Seeds.Tuning), "--only", .. group];
    }

    /// <summary>How to start this program again: the apphost itself, or <c>dotnet l2l.dll</c>.</summary>
    private static (string Program, string[] Prefix) Self()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running, so cannot start parallel jobs: use --jobs 1");
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [typeof(ParallelJobs).Assembly.Location])
            : (process, []);
    }
}
