namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// A node attribute. Only the field named by <see cref="Type"/> is meaningful; the others keep their
/// defaults (0, empty string, empty lists, null tensor), as in the protobuf message.
/// </summary>
public sealed class OnnxAttribute
{
    internal OnnxAttribute(
        string name,
        OnnxAttributeType type,
        float f,
        long i,
        string s,
        float[] floats,
        long[] ints,
        string[] strings,
        OnnxTensor? tensor,
        bool hasGraph)
    {
        Name = name;
        Type = type;
        F = f;
        I = i;
        S = s;
        Floats = Array.AsReadOnly(floats);
        Ints = Array.AsReadOnly(ints);
        Strings = Array.AsReadOnly(strings);
        Tensor = tensor;
        HasGraph = hasGraph;
    }

    /// <summary>The attribute name.</summary>
    public string Name { get; }

    /// <summary>The declared value kind (the <c>type</c> field); not cross-checked against the fields present.</summary>
    public OnnxAttributeType Type { get; }

    /// <summary>The float value (<c>f</c>).</summary>
    public float F { get; }

    /// <summary>The integer value (<c>i</c>).</summary>
    public long I { get; }

    /// <summary>The string value (<c>s</c>), decoded as UTF-8.</summary>
    public string S { get; }

    /// <summary>The float list (<c>floats</c>), packed or not in the file.</summary>
    public IReadOnlyList<float> Floats { get; }

    /// <summary>The integer list (<c>ints</c>), packed or not in the file.</summary>
    public IReadOnlyList<long> Ints { get; }

    /// <summary>The string list (<c>strings</c>), decoded as UTF-8.</summary>
    public IReadOnlyList<string> Strings { get; }

    /// <summary>The tensor value (<c>t</c>), or null when absent.</summary>
    public OnnxTensor? Tensor { get; }

    /// <summary>
    /// True when the attribute carries a subgraph (<c>g</c>) or subgraphs (<c>graphs</c>), as control-flow
    /// operators do. Subgraphs are not decoded: the runtime's optimizer contract has no use for them.
    /// </summary>
    public bool HasGraph { get; }

    /// <summary>The name and kind, e.g. <c>hidden_size: Int</c>.</summary>
    public override string ToString() => $"{Name}: {Type}";
}
