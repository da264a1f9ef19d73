using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Tests;

/// <summary>The speed measurement behind <c>l2l bench</c> times real meta-training trajectories.</summary>
public sealed class MetaTrainingSpeedTests
{
    public MetaTrainingSpeedTests() => TorchModules.UseOneThread();

    [Fact]
    public void MeasuresWallAndCpuSecondsPerTrajectory()
    {
        using var family = new QuadraticFamily(10);

        var speed = MetaTrainingSpeed.Measure(family, problemsPerTrajectory: 4, trajectories: 2);

        Assert.Equal(family.Name, speed.Problem);
        Assert.Equal((4, 1), (speed.ProblemsPerTrajectory, speed.Threads));
        Assert.True(speed.WallSeconds > 0 && speed.CpuSeconds > 0, $"{speed.WallSeconds} s wall, {speed.CpuSeconds} s CPU");
        Assert.Equal(4 / speed.WallSeconds, speed.ProblemsPerSecond, 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => MetaTrainingSpeed.Measure(family, 1, 0));
    }
}
