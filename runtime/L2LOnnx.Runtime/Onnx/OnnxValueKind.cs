namespace L2LOnnx.Runtime.Onnx;

/// <summary>Which kind of type an <see cref="OnnxValueInfo"/> declares (the <c>TypeProto.value</c> oneof).</summary>
public enum OnnxValueKind
{
    /// <summary>No type, or a kind this reader does not know (for example ONNX-ML's opaque type).</summary>
    Unspecified = 0,

    /// <summary>A dense tensor; element type and shape are decoded.</summary>
    Tensor = 1,

    /// <summary>A sequence; not a tensor, element type not decoded.</summary>
    Sequence = 2,

    /// <summary>A map; not a tensor, key and value types not decoded.</summary>
    Map = 3,

    /// <summary>An optional value; not a tensor, element type not decoded.</summary>
    Optional = 4,

    /// <summary>A sparse tensor; not a dense tensor, element type and shape not decoded.</summary>
    SparseTensor = 5,
}
