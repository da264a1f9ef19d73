using System.Diagnostics;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Tests;

/// <summary>Meta-training keeps native memory flat however many trajectories it runs.</summary>
[Collection(SoloCollection.Name)]
public sealed class MemoryTests
{
    public MemoryTests() => TorchModules.UseOneThread();

    [Fact]
    public void LiveTensorsAndResidentMemoryStayFlatOverThousandsOfTrajectories()
    {
        using var family = new QuadraticFamily(3);
        using var optimizer = GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1)));
        const int trajectories = 2000;
        var liveTensors = new Dictionary<int, long>();
        var residentBytes = new Dictionary<int, long>();
        var progress = new Recorder(p =>
        {
            if (p.Trajectory % 500 != 0) return;
            liveTensors[p.Trajectory] = LiveTensorsOnThisThread();
            using var process = Process.GetCurrentProcess();
            residentBytes[p.Trajectory] = process.WorkingSet64;
        });
        var before = LiveTensorsOnThisThread();
        new MetaTrainer(optimizer, family, new MetaTrainingOptions
        {
            Trajectories = trajectories, ProblemsPerTrajectory = 2, TrajectoryLength = 4, UnrollLength = 2, ValidateEvery = 100, ValidationProblems = 2,
        }).Train(progress);

        // Every tensor a trajectory creates is disposed by the end of it; the run leaves none behind.
        Assert.Equal(liveTensors[500], liveTensors[trajectories]);
        Assert.Equal(before, LiveTensorsOnThisThread());
        var growth = residentBytes[trajectories] - residentBytes[500];
        Assert.True(growth < 64L << 20, $"resident memory grew by {growth >> 20} MB between trajectory 500 and {trajectories}");
    }

    /// <summary>
    /// Tensors created on this thread and not yet disposed: exact, unlike the process-wide count, which
    /// tests running alongside (and finalizers) change at any time.
    /// </summary>
    private static long LiveTensorsOnThisThread() => TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    /// <summary>A synchronous progress sink (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Recorder(Action<MetaTrainingProgress> record) : IProgress<MetaTrainingProgress>
    {
        public void Report(MetaTrainingProgress value) => record(value);
    }
}
