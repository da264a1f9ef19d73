using System.Diagnostics;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;

namespace L2LOnnx.Train.MetaTraining;

/// <summary>How long one meta-training trajectory took, in wall-clock and CPU seconds.</summary>
/// <param name="Problem">The problem family's name.</param>
/// <param name="ProblemsPerTrajectory">Problems optimized side by side per trajectory.</param>
/// <param name="Threads">libtorch threads during the measurement.</param>
/// <param name="WallSeconds">Wall-clock seconds per trajectory.</param>
/// <param name="CpuSeconds">CPU seconds of the whole process per trajectory.</param>
public sealed record SpeedMeasurement(string Problem, int ProblemsPerTrajectory, int Threads, double WallSeconds, double CpuSeconds)
{
    /// <summary>Problem-trajectories per second: trajectories per second times the batch.</summary>
    public double ProblemsPerSecond => ProblemsPerTrajectory / WallSeconds;
}

/// <summary>
/// Meta-training speed measured on the real training path (<see cref="MetaTrainer"/>: truncated BPTT,
/// meta-gradient, Adam step) of the paper's 2x20 LSTM optimizer. What <c>l2l bench</c> reports.
/// </summary>
public static class MetaTrainingSpeed
{
    /// <summary>
    /// Meta-trains <paramref name="trajectories"/> + 2 trajectories on <paramref name="family"/> and times
    /// the middle ones: the first (warm-up) and the last (followed by a validation) are left out.
    /// Uses the current libtorch thread count and reseeds torch's global generator.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trajectories"/> or <paramref name="problemsPerTrajectory"/> is below 1.</exception>
    public static SpeedMeasurement Measure(IProblemFamily family, int problemsPerTrajectory, int trajectories)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(problemsPerTrajectory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trajectories);
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
            ProblemsPerTrajectory = problemsPerTrajectory,
            ValidateEvery = int.MaxValue,
            ValidationProblems = 1,
        }).Train(progress);
        var wall = (marks[total - 1].Wall - marks[1].Wall) / trajectories;
        var cpu = (marks[total - 1].Cpu - marks[1].Cpu) / trajectories;
        return new SpeedMeasurement(family.Name, problemsPerTrajectory, torch.get_num_threads(), wall, cpu);
    }

    /// <summary>A synchronous progress sink, so timestamps are taken on the training thread.</summary>
    private sealed class Marker(Action<MetaTrainingProgress> mark) : IProgress<MetaTrainingProgress>
    {
        public void Report(MetaTrainingProgress value) => mark(value);
    }
}
