using System.Diagnostics;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>Runs a load and checks it was refused within generous time and memory bounds.</summary>
internal static class Bounded
{
    /// <summary>The promise is 2 s and 1 GB; the time bound here is generous for a loaded machine.</summary>
    public static readonly TimeSpan Time = TimeSpan.FromSeconds(10);

    public const long Memory = 1L << 30;

    public static ContractViolationException Refused(byte[] model)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(model, new LearnedOptimizerOptions { IntraOpThreads = 1 }));
        clock.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.True(clock.Elapsed < Time, $"refusal took {clock.Elapsed.TotalSeconds:0.0} s: {e.Message}");
        Assert.True(allocated < Memory, $"refusal allocated {allocated >> 20} MiB: {e.Message}");
        return e;
    }
}
