namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>What the compiler knows about one ONNX value.</summary>
internal abstract class ProgramValue
{
    /// <summary>The shape; <see cref="N"/> marks the coordinate axis.</summary>
    public required long[] Dims { get; init; }

    /// <summary>The symbolic number of coordinates in <see cref="Dims"/>.</summary>
    public const long N = -1;

    public string Shape => "[" + string.Join(", ", Dims.Select(d => d == N ? "N" : d.ToString())) + "]";
}

/// <summary>A value known at compile time: an initializer, a Constant node, or folded from them.</summary>
internal sealed class ConstantValue : ProgramValue
{
    /// <summary>Float elements, row-major; null for integer tensors.</summary>
    public float[]? Floats { get; init; }

    /// <summary>Integer elements (int64 or widened int32), row-major; null for float tensors.</summary>
    public long[]? Integers { get; init; }

    public long Count => Dims.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// A per-coordinate value: a shape with exactly one N axis, only 1s before it, and the features after
/// it (row-major) held in <see cref="Rows"/> consecutive rows of a register from <see cref="Row"/>.
/// </summary>
internal sealed class CoordinateValue : ProgramValue
{
    public required ProgramRegister Register { get; init; }

    public int Row { get; init; }

    /// <summary>Whether the value is boolean (a comparison's result, held as all-ones or zero bits).</summary>
    public bool IsMask { get; init; }

    public int Axis => Array.IndexOf(Dims, N);

    /// <summary>The feature dimensions, after the N axis.</summary>
    public long[] FeatureDims => Dims[(Axis + 1)..];

    public int Rows => (int)FeatureDims.Aggregate(1L, (a, b) => a * b);

    public ProgramOperand Operand(bool broadcast = false) => ProgramOperand.Of(Register, Row, broadcast);

    public CoordinateValue Reshaped(long[] dims) => new() { Dims = dims, Register = Register, Row = Row, IsMask = IsMask };
}
