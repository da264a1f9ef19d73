namespace L2LOnnx.Runtime.Onnx;

/// <summary>A declared graph input, output or intermediate value: its name and, for tensors, element type and shape.</summary>
public sealed class OnnxValueInfo
{
    internal OnnxValueInfo(string name, OnnxValueKind kind, OnnxDataType elementType, OnnxDimension[]? shape)
    {
        Name = name;
        Kind = kind;
        ElementType = elementType;
        Shape = shape is null ? null : Array.AsReadOnly(shape);
    }

    /// <summary>The value name.</summary>
    public string Name { get; }

    /// <summary>Which kind of type is declared.</summary>
    public OnnxValueKind Kind { get; }

    /// <summary>True when the value is declared as a dense tensor.</summary>
    public bool IsTensor => Kind == OnnxValueKind.Tensor;

    /// <summary>The tensor element type; <see cref="OnnxDataType.Undefined"/> when not a tensor or not given.</summary>
    public OnnxDataType ElementType { get; }

    /// <summary>
    /// The declared tensor shape, one entry per axis (empty for a scalar), or null when no shape is
    /// declared (rank unknown) or the value is not a tensor.
    /// </summary>
    public IReadOnlyList<OnnxDimension>? Shape { get; }

    /// <summary>The name and type, e.g. <c>grad: FLOAT[batch,1]</c>.</summary>
    public override string ToString() => Kind switch
    {
        OnnxValueKind.Tensor => $"{Name}: {ElementType.ToString().ToUpperInvariant()}" +
            (Shape is null ? "[?]" : $"[{string.Join(',', Shape)}]"),
        _ => $"{Name}: {Kind}",
    };
}
