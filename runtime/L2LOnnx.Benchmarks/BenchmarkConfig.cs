using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace L2LOnnx.Benchmarks;

/// <summary>
/// BenchmarkDotNet's defaults (console log, Markdown/CSV/HTML reports) with a short job (the machine
/// these run on is shared, so long runs buy little precision), memory diagnostics, and a throughput
/// column in millions of coordinates per second.
/// </summary>
public static class BenchmarkConfig
{
    /// <summary>Creates the configuration.</summary>
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.ShortRun.WithId("short"))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumn(new ThroughputColumn());
}
