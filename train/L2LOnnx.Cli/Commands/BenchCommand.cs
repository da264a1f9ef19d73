using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using L2LOnnx.Train;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
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
        var command = new Command("bench", "measure meta-training trajectories/s on quadratics and MNIST at 1 and 2 threads")
        {
            quadratic, mnist, threads,
        };
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            Run(result.GetValue(quadratic), result.GetValue(mnist), CommonOptions.ParseSizes(result.GetValue(threads)!, "--threads"));
            return 0;
        }));
        return command;
    }

    /// <summary>One measured setting.</summary>
    private sealed record Measurement(string Problem, int ProblemsPerTrajectory, int Threads, double WallSeconds, double CpuSeconds, double? Reference);

    private static void Run(int quadraticTrajectories, int mnistTrajectories, int[] threadCounts)
    {
        TorchRuntime.Configure(threadCounts[0]);
        // Loaded first, so a missing data set is reported before minutes of quadratic timing, not after.
        using var mnistFamily = mnistTrajectories > 0 ? new ProblemSpec { Kind = ProblemKind.Mnist }.Training() : null;
        var loadBefore = LoadAverage();
        var results = new List<Measurement>();
        foreach (var threads in threadCounts)
        {
            torch.set_num_threads(threads);
            using (var family = new QuadraticFamily(10))
            {
                results.Add(Measure("quadratic", family, 1, threads, quadraticTrajectories, ReferenceQuadratic));
                results.Add(Measure("quadratic", family, 128, threads, Math.Max(3, quadraticTrajectories / 20), null));
            }
            if (mnistFamily is not null)
                results.Add(Measure("mnist", mnistFamily, 1, threads, mnistTrajectories, ReferenceMnist));
        }

        // Narrow enough for an 80-column log: problem-trajectories/s is trajectories/s times the batch.
        var table = new Table().Title("meta-training speed: T=100, unroll 20, 2x20 LSTM")
            .AddColumn("problem").AddColumn(new TableColumn("batch").RightAligned()).AddColumn(new TableColumn("threads").RightAligned())
            .AddColumn(new TableColumn("s/traj").RightAligned()).AddColumn(new TableColumn("CPU s/traj").RightAligned())
            .AddColumn(new TableColumn("problems/s").RightAligned()).AddColumn(new TableColumn("PyTorch ref.").RightAligned());
        foreach (var m in results)
        {
            table.AddRow(m.Problem, I(m.ProblemsPerTrajectory), I(m.Threads), F(m.WallSeconds, "0.000"), F(m.CpuSeconds, "0.000"),
                F(m.ProblemsPerTrajectory / m.WallSeconds, "0.0"), m.Reference is { } r ? $"{F(r, "0.###")} s" : "-");
        }
        AnsiConsole.Write(table);
        Console.WriteLine("problems/s: problem-trajectories per second (trajectories per second times the batch); PyTorch ref.: the reference run's seconds per trajectory, 1 thread, one problem per trajectory.");
        Console.WriteLine($"load average (1 min) before {loadBefore}, after {LoadAverage()} on {Environment.ProcessorCount} cores; " +
                          "a loaded machine inflates wall time, CPU time less so");
    }

    /// <summary>
    /// Meta-trains <paramref name="trajectories"/> + 2 trajectories and times the middle ones: the first
    /// (warm-up) and the last (followed by a validation) are left out.
    /// </summary>
    private static Measurement Measure(string name, IProblemFamily family, int problems, int threads, int trajectories, double? reference)
    {
        torch.random.manual_seed(1);
        using var optimizer = GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig()));
        var total = trajectories + 2;
        var marks = new (double Wall, double Cpu)[total + 1];
        var clock = Stopwatch.StartNew();
        using var process = Process.GetCurrentProcess();
        var progress = new Marker(p =>
        {
            process.Refresh();
            marks[p.Trajectory] = (clock.Elapsed.TotalSeconds, process.TotalProcessorTime.TotalSeconds);
        });
        new MetaTrainer(optimizer, family, new MetaTrainingOptions
        {
            Trajectories = total,
            ProblemsPerTrajectory = problems,
            ValidateEvery = int.MaxValue,
            ValidationProblems = 1,
        }).Train(progress);
        var wall = (marks[total - 1].Wall - marks[1].Wall) / trajectories;
        var cpu = (marks[total - 1].Cpu - marks[1].Cpu) / trajectories;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}, {problems} per trajectory, {threads} thread(s): {wall:0.0000} s per trajectory"));
        return new Measurement(name, problems, threads, wall, cpu, reference);
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "unknown"; }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A synchronous progress sink, so timestamps are taken on the training thread.</summary>
    private sealed class Marker(Action<MetaTrainingProgress> mark) : IProgress<MetaTrainingProgress>
    {
        public void Report(MetaTrainingProgress value) => mark(value);
    }
}
