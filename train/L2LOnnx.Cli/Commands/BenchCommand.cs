using System.CommandLine;
using System.Globalization;
using L2LOnnx.Train;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Problems;
using Spectre.Console;
using TorchSharp;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l bench</c>: meta-training speed, in trajectories per second, on the paper's quadratics and on
/// MNIST at several thread counts, measured on the real training path (MetaTrainer: truncated BPTT,
/// meta-gradient, Adam step), next to the PyTorch reference figures.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Seconds per trajectory of the PyTorch reference run (1 thread, one problem per trajectory).</summary>
    private const double ReferenceQuadratic = 0.036;

    /// <summary>Seconds per MNIST trajectory of the PyTorch reference run (1 thread, batch 128, T=100, unroll 20).</summary>
    private const double ReferenceMnist = 2.4;

    public static Command Create()
    {
        var quadratic = new Option<int>("--quadratic-trajectories") { Description = "timed quadratic trajectories per setting", DefaultValueFactory = _ => 100 }.AtLeast(1);
        var mnist = new Option<int>("--mnist-trajectories") { Description = "timed MNIST trajectories per setting (0 skips MNIST)", DefaultValueFactory = _ => 4 }.AtLeast(0);
        var threads = new Option<string>("--threads") { Description = "thread counts to measure, comma-separated", DefaultValueFactory = _ => "1,2" };
        var mnistProblems = new Option<string>("--mnist-problems")
        {
            Description = "MNIST problems per trajectory to measure, comma-separated; batches of more than one are timed over half the trajectories (at least 1)",
            DefaultValueFactory = _ => "1,8",
        };
        var command = new Command("bench", "measure meta-training trajectories/s on quadratics and MNIST at 1 and 2 threads")
        {
            quadratic, mnist, threads, mnistProblems,
        };
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            Run(result.GetValue(quadratic), result.GetValue(mnist), CommonOptions.ParseSizes(result.GetValue(threads)!, "--threads"),
                CommonOptions.ParseSizes(result.GetValue(mnistProblems)!, "--mnist-problems"));
            return 0;
        }));
        return command;
    }

    /// <summary>One measured setting next to the PyTorch reference's seconds per trajectory, where there is one.</summary>
    private sealed record Row(SpeedMeasurement Speed, double? Reference);

    private static void Run(int quadraticTrajectories, int mnistTrajectories, int[] threadCounts, int[] mnistProblems)
    {
        TorchRuntime.Configure(threadCounts[0]);
        // Loaded first, so a missing data set is reported before minutes of quadratic timing, not after.
        using var mnistFamily = mnistTrajectories > 0 ? new ProblemSpec { Kind = ProblemKind.Mnist }.Training() : null;
        var loadBefore = LoadAverage();
        var results = new List<Row>();
        foreach (var threads in threadCounts)
        {
            torch.set_num_threads(threads);
            using (var family = new QuadraticFamily(10))
            {
                results.Add(Measure("quadratic", family, 1, quadraticTrajectories, ReferenceQuadratic));
                results.Add(Measure("quadratic", family, 128, Math.Max(3, quadraticTrajectories / 20), null));
            }
            if (mnistFamily is not null)
                foreach (var problems in mnistProblems)
                    results.Add(Measure("mnist", mnistFamily, problems, problems == 1 ? mnistTrajectories : Math.Max(1, mnistTrajectories / 2),
                        problems == 1 ? ReferenceMnist : null));
        }

        // Narrow enough for an 80-column log: problem-trajectories/s is trajectories/s times the problems per trajectory.
        var table = new Table().Title("meta-training speed: T=100, unroll 20, 2x20 LSTM")
            .AddColumn("problem").AddColumn(new TableColumn("problems").RightAligned()).AddColumn(new TableColumn("threads").RightAligned())
            .AddColumn(new TableColumn("s/traj").RightAligned()).AddColumn(new TableColumn("CPU s/traj").RightAligned())
            .AddColumn(new TableColumn("problems/s").RightAligned()).AddColumn(new TableColumn("PyTorch").RightAligned());
        foreach (var (m, reference) in results)
        {
            table.AddRow(m.Problem, I(m.ProblemsPerTrajectory), I(m.Threads), F(m.WallSeconds, "0.000"), F(m.CpuSeconds, "0.000"),
                F(m.ProblemsPerSecond, "0.0"), reference is { } r ? $"{F(r, "0.###")} s" : "-");
        }
        AnsiConsole.Write(table);
        Console.WriteLine("problems: problems per trajectory, optimized together (--problems-per-trajectory); problems/s: problem-trajectories " +
                          "per second (trajectories per second times problems); PyTorch: the reference run's seconds per trajectory, " +
                          "1 thread, one problem per trajectory.");
        Console.WriteLine($"load (/proc/loadavg) before: {loadBefore}; after: {LoadAverage()}; {Environment.ProcessorCount} cores. " +
                          "A loaded machine inflates wall time, CPU time less so.");
    }

    private static Row Measure(string name, IProblemFamily family, int problems, int trajectories, double? reference)
    {
        var speed = MetaTrainingSpeed.Measure(family, problems, trajectories);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}, {problems} per trajectory, {speed.Threads} thread(s): {speed.WallSeconds:0.0000} s per trajectory"));
        return new Row(speed with { Problem = name }, reference);
    }

    private static string LoadAverage()
    {
        // The 1-, 5- and 15-minute averages: the 1-minute one alone misses load that just ended.
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
