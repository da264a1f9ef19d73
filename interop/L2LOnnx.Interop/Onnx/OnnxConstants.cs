using Onnx;

namespace L2LOnnx.Interop.Onnx;

/// <summary>
/// The constant values of a graph, by value name: initializers (our exporter) and <c>Constant</c> node
/// outputs (what <c>torch.onnx.export</c> writes for small tensors), read as float32.
/// </summary>
internal sealed class OnnxConstants
{
    private readonly Dictionary<string, TensorProto> tensors = new(StringComparer.Ordinal);

    public OnnxConstants(GraphProto graph)
    {
        foreach (var initializer in graph.Initializer)
            tensors[initializer.Name] = initializer;
        foreach (var node in graph.Node)
        {
            if (node.OpType != "Constant" || node.Output.Count != 1) continue;
            foreach (var attribute in node.Attribute)
            {
                if (attribute.Name == "value" && attribute.T is { } tensor)
                    tensors[node.Output[0]] = tensor;
                else if (attribute.Name == "value_float")
                    tensors[node.Output[0]] = FloatTensor(attribute.F);
            }
        }
    }

    /// <summary>Whether <paramref name="value"/> names a constant.</summary>
    public bool Contains(string value) => tensors.ContainsKey(value);

    /// <summary>The constant's shape, or null when <paramref name="value"/> is not a constant.</summary>
    public long[]? Shape(string value) => tensors.TryGetValue(value, out var tensor) ? tensor.Dims.ToArray() : null;

    /// <summary>
    /// The float32 values of constant <paramref name="value"/> in row-major order, or null when it is not a
    /// constant.
    /// </summary>
    /// <exception cref="OnnxImportException">The constant is not float32 or keeps its data outside the file.</exception>
    public float[]? Floats(string value, string role)
    {
        if (!tensors.TryGetValue(value, out var tensor)) return null;
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw new OnnxImportException(
                $"{role} ('{value}') has ONNX element type {(TensorProto.Types.DataType)tensor.DataType}; the LSTM optimizer family is float32 throughout");
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            throw new OnnxImportException($"{role} ('{value}') keeps its data in an external file; contract v1 requires every weight inside the model file");
        var count = tensor.Dims.Aggregate(1L, (a, b) => a * b);
        float[] values;
        if (!tensor.RawData.IsEmpty)
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian");
            values = new float[tensor.RawData.Length / sizeof(float)];
            Buffer.BlockCopy(tensor.RawData.ToByteArray(), 0, values, 0, values.Length * sizeof(float));
        }
        else
        {
            values = tensor.FloatData.ToArray();
        }
        if (values.LongLength != count)
            throw new OnnxImportException($"{role} ('{value}') holds {values.Length} floats for shape [{string.Join(", ", tensor.Dims)}]: the file is corrupt");
        return values;
    }

    private static TensorProto FloatTensor(float value)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        return tensor;
    }
}
