using System.Runtime.InteropServices;
using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime;

/// <summary>
/// The graph rules of <see cref="ModelPrecheck"/>: every tensor's data matches its shape and is finite,
/// names are unique and every node input is defined before it is used, no control flow or foreign
/// operator, and the constants (with what shape-making operators build from them) stay within
/// <see cref="ModelPrecheck.MaxParameters"/> elements, so neither loading nor a step can be made to
/// allocate gigabytes by a small file.
/// </summary>
internal static class GraphPrecheck
{
    /// <summary>Operators that build a tensor whose size is given by a constant input or attribute, not by their data inputs.</summary>
    private static readonly HashSet<string> ShapeMakers = new(StringComparer.Ordinal)
    {
        "ConstantOfShape", "Expand", "Tile", "Resize", "Upsample", "Range", "RandomNormal", "RandomUniform", "OneHot",
    };

    public static void Check(OnnxGraph graph)
    {
        long elements = 0;
        var constants = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializers)
        {
            CheckTensor(tensor, $"initializer '{tensor.Name}'");
            elements = AddElements(elements, tensor.ElementCount, $"initializer '{tensor.Name}'");
            constants[tensor.Name] = tensor;
        }

        var defined = new HashSet<string>(StringComparer.Ordinal);
        var inputNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Inputs)
        {
            if (!inputNames.Add(input.Name))
                throw new ContractViolationException($"graph input '{input.Name}' is declared twice: every input needs a unique name");
            defined.Add(input.Name);
        }
        defined.UnionWith(constants.Keys);

        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (node.Name.Length > 0 && !nodeNames.Add(node.Name))
                throw new ContractViolationException($"two nodes are named '{node.Name}': ONNX Runtime requires node names to be unique");
            if (node.Domain is not ("" or "ai.onnx"))
                throw new ContractViolationException(
                    $"node {node} uses operator domain '{node.Domain}': contract v1 allows the default ONNX domain only (no custom or com.microsoft operators)");
            foreach (var attribute in node.Attributes.Values)
            {
                if (attribute.HasGraph)
                    throw new ContractViolationException(
                        $"node {node} carries a subgraph (attribute '{attribute.Name}'): the runtime cannot check subgraphs against the contract, so it refuses control-flow operators");
                if (attribute.Tensor is { } value)
                {
                    CheckTensor(value, $"node {node} attribute '{attribute.Name}'");
                    elements = AddElements(elements, value.ElementCount, $"node {node} attribute '{attribute.Name}'");
                }
                elements = AddElements(elements, attribute.Floats.Count + attribute.Ints.Count, $"node {node} attribute '{attribute.Name}'");
            }
            foreach (var input in node.Inputs)
            {
                // An empty name is an omitted optional input.
                if (input.Length > 0 && !defined.Contains(input))
                    throw new ContractViolationException(
                        $"node {node} reads '{input}', which no graph input, initializer or earlier node defines: the graph is not wired (or not in topological order)");
            }
            if (ShapeMakers.Contains(node.OpType))
                elements = AddElements(elements, ConstantOutputElements(node, constants), $"node {node} ({node.OpType} with a constant size)");
            foreach (var output in node.Outputs)
            {
                if (output.Length == 0) continue;
                if (!defined.Add(output))
                    throw new ContractViolationException(
                        $"node {node} writes '{output}', which is already defined: ONNX graphs assign every value once");
            }
            if (node.OpType == "Constant" && node.Outputs.Count == 1 && node.Attributes.TryGetValue("value", out var constant) && constant.Tensor is { } tensor)
                constants[node.Outputs[0]] = tensor;
        }

        var outputNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in graph.Outputs)
        {
            if (!outputNames.Add(output.Name))
                throw new ContractViolationException($"graph output '{output.Name}' is declared twice: every output needs a unique name");
            if (!defined.Contains(output.Name))
                throw new ContractViolationException($"graph output '{output.Name}' is produced by no node, input or initializer");
        }
    }

    private static long AddElements(long total, long more, string where)
    {
        total += Math.Min(more, ModelPrecheck.MaxParameters + 1);
        if (total > ModelPrecheck.MaxParameters)
            throw new ContractViolationException(
                $"the model's constants and constant-sized tensors exceed {ModelPrecheck.MaxParameters:N0} elements (at {where}); a coordinatewise optimizer is far smaller, so the file is refused as corrupt or hostile");
        return total;
    }

    /// <summary>
    /// A lower bound on the elements a shape-making node creates when its size is constant (the shape,
    /// repeats, sizes, scales, range or depth are an initializer or a Constant); 0 when the size depends on
    /// the data (then it scales with N, which the caller chooses, and ONNX Runtime's allocation failure at
    /// step time is reported as a <see cref="ContractViolationException"/>).
    /// </summary>
    private static long ConstantOutputElements(OnnxNode node, Dictionary<string, OnnxTensor> constants)
    {
        long[]? Ints(int input) => input < node.Inputs.Count && constants.TryGetValue(node.Inputs[input], out var t) && t.DataType is OnnxDataType.Int64 or OnnxDataType.Int32 ? t.ToInt64Array() : null;
        float[]? Floats(int input) => input < node.Inputs.Count && constants.TryGetValue(node.Inputs[input], out var t) && t.DataType == OnnxDataType.Float ? t.ToFloatArray() : null;
        long InputElements(int input) => input < node.Inputs.Count && constants.TryGetValue(node.Inputs[input], out var t) ? Math.Max(1, t.ElementCount) : 1;

        return node.OpType switch
        {
            "ConstantOfShape" or "Expand" => Product(Ints(node.OpType == "Expand" ? 1 : 0)),
            "Tile" => Saturate(Product(Ints(1)) * (double)InputElements(0)),
            "Resize" => Math.Max(Product(Ints(3)), Saturate(Product(Floats(2)) * (double)InputElements(0))),
            "Upsample" => Saturate(Product(Floats(1)) * (double)InputElements(0)),
            "Range" => RangeCount(node, constants),
            "OneHot" => Saturate(Product(Ints(1)) * (double)InputElements(0)),
            _ => node.Attributes.TryGetValue("shape", out var shape) ? Product(shape.Ints.ToArray()) : 0,
        };
    }

    private static long RangeCount(OnnxNode node, Dictionary<string, OnnxTensor> constants)
    {
        double? Scalar(int i)
        {
            if (i >= node.Inputs.Count || !constants.TryGetValue(node.Inputs[i], out var t) || t.ElementCount != 1) return null;
            return t.DataType switch
            {
                OnnxDataType.Float => t.ToFloatArray()[0],
                OnnxDataType.Int64 or OnnxDataType.Int32 => t.ToInt64Array()[0],
                _ => null,
            };
        }
        if (Scalar(0) is not { } start || Scalar(1) is not { } limit || Scalar(2) is not { } delta || delta == 0) return 0;
        return Saturate(Math.Ceiling((limit - start) / delta));
    }

    private static long Product(IReadOnlyList<long>? values)
    {
        if (values is null) return 0;
        double product = 1;
        foreach (var v in values) product *= Math.Max(0, v);
        return Saturate(product);
    }

    private static long Product(IReadOnlyList<float>? values)
    {
        if (values is null) return 0;
        double product = 1;
        foreach (var v in values) product *= float.IsFinite(v) ? Math.Max(0, v) : double.MaxValue;
        return Saturate(product);
    }

    private static long Saturate(double value) => value >= long.MaxValue ? long.MaxValue : value <= 0 || double.IsNaN(value) ? 0 : (long)value;

    /// <summary>The tensor's data is inline, of a numeric type, exactly as long as its dims say, and finite.</summary>
    private static void CheckTensor(OnnxTensor tensor, string where)
    {
        if (tensor.ElementCount > ModelPrecheck.MaxParameters)
            throw new ContractViolationException(
                $"{where} declares {tensor.ElementCount:N0} elements (shape [{string.Join(", ", tensor.Dims)}]), more than the {ModelPrecheck.MaxParameters:N0} this runtime accepts");
        var (size, typed, typedField) = tensor.DataType switch
        {
            OnnxDataType.Float => (4, tensor.FloatData.Length, "float_data"),
            OnnxDataType.Double => (8, tensor.DoubleData.Length, "double_data"),
            OnnxDataType.Int64 => (8, tensor.Int64Data.Length, "int64_data"),
            OnnxDataType.Int32 => (4, tensor.Int32Data.Length, "int32_data"),
            OnnxDataType.Int16 or OnnxDataType.UInt16 or OnnxDataType.Float16 or OnnxDataType.BFloat16 => (2, tensor.Int32Data.Length, "int32_data"),
            OnnxDataType.Int8 or OnnxDataType.UInt8 or OnnxDataType.Bool => (1, tensor.Int32Data.Length, "int32_data"),
            OnnxDataType.UInt32 => (4, -1, "raw_data"),
            OnnxDataType.UInt64 => (8, -1, "raw_data"),
            _ => throw new ContractViolationException(
                $"{where} has element type {tensor.DataType} ({(int)tensor.DataType}): contract-v1 weights are numeric tensors (float, double, integers, bool, float16, bfloat16)"),
        };
        var count = tensor.ElementCount;
        if (tensor.HasRawData)
        {
            if (typed > 0)
                throw new ContractViolationException($"{where} has both raw_data and {typedField}; ONNX allows one");
            if (tensor.RawData.Length != count * size)
                throw new ContractViolationException(
                    $"{where} has {tensor.RawData.Length} bytes of raw_data, but its shape [{string.Join(", ", tensor.Dims)}] of {tensor.DataType} needs {count * size}");
        }
        else if (typed != count && !(typed == -1 && count == 0))
        {
            throw new ContractViolationException(
                typed < 0
                    ? $"{where} is {tensor.DataType} without raw_data: store such tensors in raw_data"
                    : $"{where} has {typed} values in {typedField}, but its shape [{string.Join(", ", tensor.Dims)}] needs {count}");
        }

        if (tensor.DataType == OnnxDataType.Float)
            RequireFinite(tensor.HasRawData ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span) : tensor.FloatData.Span, where);
        else if (tensor.DataType == OnnxDataType.Double)
            RequireFinite(tensor.HasRawData ? MemoryMarshal.Cast<byte, double>(tensor.RawData.Span) : tensor.DoubleData.Span, where);
    }

    private static void RequireFinite<T>(ReadOnlySpan<T> values, string where)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        if (!BitConverter.IsLittleEndian) return;
        for (var i = 0; i < values.Length; i++)
            if (!T.IsFinite(values[i]))
                throw new ContractViolationException($"{where} holds {values[i]} at element {i}: weights must be finite (the file is corrupt)");
    }
}
