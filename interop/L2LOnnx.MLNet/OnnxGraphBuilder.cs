using Google.Protobuf;
using Onnx;

namespace L2LOnnx.MLNet;

/// <summary>
/// Writes a small ONNX graph node by node with OnnxSharp's protobuf classes: typed inputs and outputs,
/// float initializers, and the few attribute kinds the scoring graphs need.
/// </summary>
internal sealed class OnnxGraphBuilder(string name, string docString)
{
    /// <summary>The ONNX opset the scoring graphs target (the one the optimizer exporter uses).</summary>
    public const int Opset = 17;

    /// <summary>ONNX IR version written.</summary>
    public const int IrVersion = 8;

    private readonly GraphProto graph = new() { Name = name, DocString = docString };

    public void Input(string value, TensorProto.Types.DataType type, params long[] dims) => graph.Input.Add(Value(value, type, dims));

    public void Output(string value, TensorProto.Types.DataType type, params long[] dims) => graph.Output.Add(Value(value, type, dims));

    /// <summary>A float32 initializer from row-major values.</summary>
    public string Initializer(string value, ReadOnlySpan<float> data, params long[] dims)
    {
        if (data.Length != dims.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"initializer '{value}' has {data.Length} values for shape [{string.Join(", ", dims)}]");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian");
        var tensor = new TensorProto
        {
            Name = value,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data)),
        };
        tensor.Dims.Add(dims);
        graph.Initializer.Add(tensor);
        return value;
    }

    /// <summary>A one-element string initializer (UTF-8).</summary>
    public string StringInitializer(string value, string text)
    {
        var tensor = new TensorProto { Name = value, DataType = (int)TensorProto.Types.DataType.String };
        tensor.Dims.Add(1);
        tensor.StringData.Add(ByteString.CopyFromUtf8(text));
        graph.Initializer.Add(tensor);
        return value;
    }

    /// <summary>Adds a node with one output named <paramref name="output"/> and returns that name.</summary>
    public string Node(string opType, string output, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>The serialized model, with <paramref name="metadata"/> as <c>metadata_props</c>.</summary>
    public byte[] ToBytes(string producer, IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = producer,
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model.ToByteArray();
    }

    private static ValueInfoProto Value(string value, TensorProto.Types.DataType type, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        return new ValueInfoProto
        {
            Name = value,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
