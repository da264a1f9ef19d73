using System.Diagnostics;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using static TorchSharp.torch;

namespace L2LOnnx.Tests.Train;

/// <summary>Meta-training keeps native memory flat however many trajectories it runs.</summary>
public sealed class MemoryTests
{
    public MemoryTests() => TorchModules.UseOneThread();

    [Fact]
    public void LiveTensorsAndResidentMemoryStayFlatOverThousandsOfTrajectories()
    {
        using var family = new QuadraticFamily(3);
        using var optimizer = GroupedLstmOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1)));
        const int trajectories = 2000;
        var liveTensors = new Dictionary<int, long>();
        var residentBytes = new Dictionary<int, long>();
        var progress = new Recorder(p =>
        {
            if (p.Trajectory % 500 != 0) return;
            liveTensors[p.Trajectory] = Tensor.TotalCount;
            using var process = Process.GetCurrentProcess();
            residentBytes[p.Trajectory] = process.WorkingSet64;
        });
        var before = Tensor.TotalCount;
        new MetaTrainer(optimizer, family, new MetaTrainingOptions
        {
            Trajectories = trajectories, ProblemsPerTrajectory = 2, TrajectoryLength = 4, UnrollLength = 2, ValidateEvery = 100, ValidationProblems = 2,
        }).Train(progress);

        // Every tensor a trajectory creates is disposed by the end of it (the count is process-wide, so
        // tests running alongside may add or remove a few: allow a small margin, far below one per trajectory).
        Assert.True(Math.Abs(liveTensors[trajectories] - liveTensors[500]) < 50,
            $"live tensors grew from {liveTensors[500]} at trajectory 500 to {liveTensors[trajectories]} at {trajectories}");
        Assert.True(Math.Abs(Tensor.TotalCount - before) < 50, $"{Tensor.TotalCount - before} tensors outlived the run");
        var growth = residentBytes[trajectories] - residentBytes[500];
        Assert.True(growth < 64L << 20, $"resident memory grew by {growth >> 20} MB between trajectory 500 and {trajectories}");
    }

    /// <summary>A synchronous progress sink (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Recorder(Action<MetaTrainingProgress> record) : IProgress<MetaTrainingProgress>
    {
        public void Report(MetaTrainingProgress value) => record(value);
    }
}
