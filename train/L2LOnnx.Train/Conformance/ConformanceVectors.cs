namespace L2LOnnx.Train.Conformance;

/// <summary>
/// A model's conformance vectors: a deterministic sequence of steps from the all-zero state, with the
/// gradients fed in and the updates and states a faithful engine must produce. Stored as JSON next to
/// the model (<c>&lt;model&gt;.conformance.json</c>, see <see cref="ConformanceFile"/>) and replayed by
/// <c>l2l conformance check</c>.
/// </summary>
public sealed record ConformanceVectors
{
    /// <summary>The value of <see cref="Format"/> this version writes and reads.</summary>
    public const string FormatName = "l2l-conformance/1";

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>The model's file name, relative to the vectors file.</summary>
    public required string Model { get; init; }

    /// <summary>SHA-256 (hex) of the model file the vectors belong to.</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>What computed the expected values, e.g. <c>ONNX Runtime 1.31.1 (L2LOnnx 0.1.0)</c>.</summary>
    public required string Producer { get; init; }

    /// <summary>N, coordinates per step.</summary>
    public required int Coordinates { get; init; }

    /// <summary>The preprocessing threshold <c>e^-p</c> the gradients straddle.</summary>
    public required float Threshold { get; init; }

    /// <summary>The largest relative difference a replay may show (<see cref="RelativeDifference"/>).</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>The model's states: input name to S, floats per coordinate, in input order.</summary>
    public required IReadOnlyList<KeyValuePair<string, int>> States { get; init; }

    /// <summary>The steps, first step first.</summary>
    public required IReadOnlyList<ConformanceStep> Steps { get; init; }

    /// <summary>The cross-check done when writing, or null if none was recorded.</summary>
    public CrossCheck? CrossCheck { get; init; }
}
