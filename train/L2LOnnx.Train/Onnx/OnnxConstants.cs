using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// The constant values of a graph, by value name: initializers (our exporter) and <c>Constant</c> node
/// outputs (what <c>torch.onnx.export</c> writes for small tensors), read as float32.
/// </summary>
internal sealed class OnnxConstants
{
    /// <summary>A constant: a tensor, or the float of a <c>value_float</c> attribute (a scalar).</summary>
    private readonly record struct Constant(OnnxTensor? Tensor, float Scalar);

    private readonly Dictionary<string, Constant> constants = new(StringComparer.Ordinal);

    public OnnxConstants(OnnxGraph graph)
    {
        foreach (var initializer in graph.Initializers)
            constants[initializer.Name] = new Constant(initializer, 0);
        foreach (var node in graph.Nodes)
        {
            if (node.OpType != "Constant" || node.Outputs.Count != 1) continue;
            foreach (var attribute in node.Attributes.Values)
            {
                if (attribute.Name == "value" && attribute.Tensor is { } tensor)
                    constants[node.Outputs[0]] = new Constant(tensor, 0);
                else if (attribute.Name == "value_float")
                    constants[node.Outputs[0]] = new Constant(null, attribute.F);
            }
        }
    }

    /// <summary>Whether <paramref name="value"/> names a constant.</summary>
    public bool Contains(string value) => constants.ContainsKey(value);

    /// <summary>The constant's shape, or null when <paramref name="value"/> is not a constant.</summary>
    public long[]? Shape(string value) =>
        constants.TryGetValue(value, out var constant) ? constant.Tensor?.Dims.ToArray() ?? [] : null;

    /// <summary>
    /// The float32 values of constant <paramref name="value"/> in row-major order, or null when it is not a
    /// constant.
    /// </summary>
    /// <exception cref="OnnxImportException">The constant is not float32, keeps its data outside the file, or its data does not fit its shape.</exception>
    public float[]? Floats(string value, string role)
    {
        if (!constants.TryGetValue(value, out var constant)) return null;
        if (constant.Tensor is not { } tensor) return [constant.Scalar];
        if (tensor.DataType != OnnxDataType.Float)
            throw new OnnxImportException(
                $"{role} ('{value}') has ONNX element type {tensor.DataType}; the LSTM optimizer family is float32 throughout");
        if (tensor.IsExternal)
            throw new OnnxImportException($"{role} ('{value}') keeps its data in an external file; contract v1 requires every weight inside the model file");
        try
        {
            return tensor.ToFloatArray();
        }
        catch (OnnxFormatException e)
        {
            throw new OnnxImportException($"{role} ('{value}'): {e.Message}: the file is corrupt", e);
        }
    }
}
