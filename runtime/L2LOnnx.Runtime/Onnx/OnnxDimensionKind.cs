namespace L2LOnnx.Runtime.Onnx;

/// <summary>How one dimension of a declared tensor shape is given.</summary>
public enum OnnxDimensionKind
{
    /// <summary>Neither a size nor a name (any size).</summary>
    Unknown = 0,

    /// <summary>A fixed, non-negative size (<c>dim_value</c>).</summary>
    Fixed = 1,

    /// <summary>A symbolic name such as <c>batch</c> (<c>dim_param</c>).</summary>
    Symbolic = 2,
}
