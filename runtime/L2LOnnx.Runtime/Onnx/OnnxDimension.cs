using System.Globalization;

namespace L2LOnnx.Runtime.Onnx;

/// <summary>One dimension of a declared tensor shape: a fixed size, a symbolic name, or unknown.</summary>
public readonly record struct OnnxDimension
{
    private OnnxDimension(OnnxDimensionKind kind, long value, string? param)
    {
        Kind = kind;
        Value = value;
        Param = param;
    }

    /// <summary>A dimension with no size and no name.</summary>
    public static OnnxDimension Unknown => default;

    /// <summary>How the dimension is given.</summary>
    public OnnxDimensionKind Kind { get; }

    /// <summary>The size when <see cref="Kind"/> is <see cref="OnnxDimensionKind.Fixed"/>, otherwise 0.</summary>
    public long Value { get; }

    /// <summary>The name when <see cref="Kind"/> is <see cref="OnnxDimensionKind.Symbolic"/>, otherwise null.</summary>
    public string? Param { get; }

    /// <summary>A fixed-size dimension.</summary>
    /// <param name="value">The size; must not be negative.</param>
    public static OnnxDimension Fixed(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new OnnxDimension(OnnxDimensionKind.Fixed, value, null);
    }

    /// <summary>A symbolic dimension.</summary>
    /// <param name="param">The name; must not be empty.</param>
    public static OnnxDimension Symbolic(string param)
    {
        ArgumentException.ThrowIfNullOrEmpty(param);
        return new OnnxDimension(OnnxDimensionKind.Symbolic, 0, param);
    }

    /// <summary>The size, the name, or <c>?</c> for an unknown dimension.</summary>
    public override string ToString() => Kind switch
    {
        OnnxDimensionKind.Fixed => Value.ToString(CultureInfo.InvariantCulture),
        OnnxDimensionKind.Symbolic => Param!,
        _ => "?",
    };
}
