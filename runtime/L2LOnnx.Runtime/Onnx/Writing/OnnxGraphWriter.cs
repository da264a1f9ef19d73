using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace L2LOnnx.Runtime.Onnx.Writing;

/// <summary>
/// The one ONNX writer of L2LOnnx: builds a graph node by node on OnnxSharp's generated protobuf
/// classes (<c>ModelProto</c>, <c>GraphProto</c>, ...) and serializes it. The trainer's exporter and the
/// ML.NET scoring graphs both write through it, so every file L2LOnnx writes has the same opset, IR
/// version and initializer encoding. Reading goes the other way, through <see cref="OnnxModelReader"/>.
/// </summary>
/// <remarks>
/// Float initializers are written as little-endian <c>raw_data</c>, int64 ones as <c>int64_data</c>;
/// value names double as node names where the shorthand overloads are used. The writer checks that
/// each initializer's data matches its shape; it does not check the graph (ONNX Runtime and
/// <c>onnx.checker</c> do). Not thread-safe: one writer builds one graph.
/// </remarks>
/// <param name="name">The graph name.</param>
/// <param name="docString">What the graph computes, stored as the graph's doc string.</param>
public sealed class OnnxGraphWriter(string name, string docString)
{
    /// <summary>The ONNX opset every file targets (onnx 1.12-era tools accept it).</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version every file is written with.</summary>
    public const int IrVersion = 8;

    private readonly GraphProto graph = new() { Name = name, DocString = docString };

    /// <summary>The graph built so far; callers may add what the writer has no shorthand for.</summary>
    public GraphProto Graph => graph;

    /// <summary>Adds a graph input with fixed dimensions.</summary>
    /// <param name="value">The value name.</param>
    /// <param name="type">The element type.</param>
    /// <param name="dims">The fixed size of each axis.</param>
    public void Input(string value, TensorProto.Types.DataType type, params long[] dims) =>
        graph.Input.Add(Value(value, type, "", dims.Select(OnnxDimension.Fixed)));

    /// <summary>Adds a documented graph input whose axes may be symbolic (<see cref="OnnxDimension.Symbolic"/>).</summary>
    /// <param name="value">The value name.</param>
    /// <param name="type">The element type.</param>
    /// <param name="doc">What the input holds.</param>
    /// <param name="shape">Each axis, fixed or symbolic.</param>
    public void Input(string value, TensorProto.Types.DataType type, string doc, params OnnxDimension[] shape) =>
        graph.Input.Add(Value(value, type, doc, shape));

    /// <inheritdoc cref="Input(string, TensorProto.Types.DataType, long[])"/>
    public void Output(string value, TensorProto.Types.DataType type, params long[] dims) =>
        graph.Output.Add(Value(value, type, "", dims.Select(OnnxDimension.Fixed)));

    /// <inheritdoc cref="Input(string, TensorProto.Types.DataType, string, OnnxDimension[])"/>
    public void Output(string value, TensorProto.Types.DataType type, string doc, params OnnxDimension[] shape) =>
        graph.Output.Add(Value(value, type, doc, shape));

    /// <summary>Adds a float32 initializer from row-major values and returns its name.</summary>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public string Initializer(string value, ReadOnlySpan<float> data, params long[] dims)
    {
        if (data.Length != dims.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"initializer '{value}' has {data.Length} values for shape [{string.Join(", ", dims)}]", nameof(data));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian");
        var tensor = new TensorProto
        {
            Name = value,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data)),
        };
        tensor.Dims.Add(dims);
        graph.Initializer.Add(tensor);
        return value;
    }

    /// <summary>Adds a one-dimensional int64 initializer (e.g. the axes of Unsqueeze / Squeeze) and returns its name.</summary>
    public string Int64Initializer(string value, params long[] data)
    {
        var tensor = new TensorProto { Name = value, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(data.Length);
        tensor.Int64Data.Add(data);
        graph.Initializer.Add(tensor);
        return value;
    }

    /// <summary>Adds a float32 scalar (rank 0) initializer and returns its name.</summary>
    public string Scalar(string value, float data) => Initializer(value, [data]);

    /// <summary>Adds a node and returns the name of its first output.</summary>
    /// <param name="opType">The operator, e.g. <c>LSTM</c>.</param>
    /// <param name="nodeName">The node name.</param>
    /// <param name="inputs">Input value names; an empty name omits an optional input.</param>
    /// <param name="outputs">Output value names; an empty name omits an optional output.</param>
    /// <param name="doc">The node's doc string (empty for none).</param>
    /// <param name="attributes">The node's attributes (<see cref="Int"/>, <see cref="String"/>).</param>
    public string Node(string opType, string nodeName, string[] inputs, string[] outputs, string doc, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = nodeName, DocString = doc };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        graph.Node.Add(node);
        return outputs[0];
    }

    /// <summary>Adds a node with attributes and one output, named <paramref name="output"/> like the node; returns that name.</summary>
    public string Node(string opType, string output, string[] inputs, params AttributeProto[] attributes) =>
        Node(opType, output, inputs, [output], "", attributes);

    /// <summary>Adds a node without attributes and one output, named <paramref name="output"/> like the node; returns that name.</summary>
    public string Node(string opType, string output, params string[] inputs) => Node(opType, output, inputs, [output], "");

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A string attribute (UTF-8).</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>
    /// The model: this graph with opset <see cref="Opset"/> of the default domain, IR version
    /// <see cref="IrVersion"/>, the producer, and <paramref name="metadata"/> as <c>metadata_props</c> in
    /// the order given, stamped (<see cref="ModelStamp.Apply"/>): <c>l2l.weights_sha256</c>, when given,
    /// first and <c>l2l.metadata_sha256</c> last. Callers may set the model's domain, version and doc
    /// string on the result; a caller that changes its metadata, inputs or outputs must stamp it again.
    /// </summary>
    public ModelProto ToModel(string producerName, string producerVersion, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = producerName,
            ProducerVersion = producerVersion,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        ModelStamp.Apply(model);
        return model;
    }

    /// <summary>
    /// The <c>l2l.weights_sha256</c> of the initializers added so far (<see cref="Runtime.WeightsHash"/>),
    /// taken from the serialized graph, since the hash is defined on what a reader sees.
    /// </summary>
    public string WeightsHash()
    {
        var model = new ModelProto { IrVersion = IrVersion, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return Runtime.WeightsHash.Compute(OnnxModelReader.Read(model.ToByteArray()).Graph);
    }

    /// <summary>The serialized model (<see cref="ToModel"/>) produced by <paramref name="producer"/>, at the runtime's version.</summary>
    public byte[] ToBytes(string producer, IReadOnlyDictionary<string, string> metadata) =>
        ToModel(producer, typeof(OnnxGraphWriter).Assembly.GetName().Version?.ToString() ?? "", metadata).ToByteArray();

    private static ValueInfoProto Value(string value, TensorProto.Types.DataType type, string doc, IEnumerable<OnnxDimension> shape)
    {
        var dims = new TensorShapeProto();
        foreach (var dim in shape)
            dims.Dim.Add(dim.Kind switch
            {
                OnnxDimensionKind.Fixed => new TensorShapeProto.Types.Dimension { DimValue = dim.Value },
                OnnxDimensionKind.Symbolic => new TensorShapeProto.Types.Dimension { DimParam = dim.Param },
                _ => new TensorShapeProto.Types.Dimension(),
            });
        return new ValueInfoProto
        {
            Name = value,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = dims } },
        };
    }
}
