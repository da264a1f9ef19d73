using Google.Protobuf;
using Onnx;

namespace L2LOnnx.Interop.Onnx;

/// <summary>
/// A thin, readable front over OnnxSharp's protobuf classes for writing graphs node by node: named
/// values, float initializers, and the few attribute kinds the exporters need.
/// </summary>
internal sealed class GraphBuilder(string name, string docString)
{
    private readonly GraphProto graph = new() { Name = name, DocString = docString };

    /// <summary>The symbolic name of the coordinate dimension.</summary>
    public const string CoordinateDim = "N";

    public GraphProto Graph => graph;

    /// <summary>Adds a float32 graph input or output; <c>null</c> in <paramref name="dims"/> means the symbolic N.</summary>
    public void Input(string value, string doc, params long?[] dims) => graph.Input.Add(FloatValue(value, doc, dims));

    /// <inheritdoc cref="Input"/>
    public void Output(string value, string doc, params long?[] dims) => graph.Output.Add(FloatValue(value, doc, dims));

    /// <summary>Adds a float32 initializer from row-major values.</summary>
    public string Initializer(string value, float[] data, params long[] dims)
    {
        if (data.Length != dims.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"initializer '{value}' has {data.Length} values for shape [{string.Join(", ", dims)}]");
        var bytes = new byte[data.Length * sizeof(float)];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian");
        var tensor = new TensorProto { Name = value, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.Add(dims);
        graph.Initializer.Add(tensor);
        return value;
    }

    /// <summary>Adds an int64 initializer (axes for Unsqueeze / Squeeze).</summary>
    public string Int64Initializer(string value, params long[] data)
    {
        var tensor = new TensorProto { Name = value, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(data.Length);
        tensor.Int64Data.Add(data);
        graph.Initializer.Add(tensor);
        return value;
    }

    /// <summary>Adds a float32 scalar initializer.</summary>
    public string Scalar(string value, float data) => Initializer(value, new[] { data });

    /// <summary>Adds a node with a doc string (empty for none) and returns its first output's name.</summary>
    public string Node(string opType, string nodeName, string[] inputs, string[] outputs, string doc, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = nodeName, DocString = doc };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        graph.Node.Add(node);
        return outputs[0];
    }

    /// <summary>Shorthand for a node with one output named after the node.</summary>
    public string Node(string opType, string output, params string[] inputs) => Node(opType, output, inputs, new[] { output }, "");

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto StringAttribute(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static ValueInfoProto FloatValue(string value, string doc, long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim is { } size ? new TensorShapeProto.Types.Dimension { DimValue = size } : new TensorShapeProto.Types.Dimension { DimParam = CoordinateDim });
        return new ValueInfoProto
        {
            Name = value,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
