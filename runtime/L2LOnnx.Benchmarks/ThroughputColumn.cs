using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace L2LOnnx.Benchmarks;

/// <summary>Millions of coordinates stepped per second: the benchmark's <c>N</c> over its mean time.</summary>
public sealed class ThroughputColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(ThroughputColumn);

    /// <inheritdoc />
    public string ColumnName => "M coords/s";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => "millions of coordinates stepped per second (N / mean)";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        var n = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == nameof(StepBenchmarks.N))?.Value;
        if (report?.ResultStatistics is not { } statistics || n is not int coordinates) return "-";
        return (coordinates / statistics.Mean * 1e3).ToString("0.00");
    }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;
}
