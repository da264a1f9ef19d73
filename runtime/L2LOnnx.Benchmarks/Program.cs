using BenchmarkDotNet.Running;

namespace L2LOnnx.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet's switcher, so <c>--filter</c>, <c>--job</c> and friends work.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected by <paramref name="args"/>.</summary>
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());
}
