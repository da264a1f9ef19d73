using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime;

/// <summary>
/// Checks a model file against contract v1 with the runtime's own ONNX reader, before ONNX Runtime sees
/// a byte of it: well-formed ONNX, default operator domain only, weights inside the file, sane sizes,
/// and the contract's inputs, outputs and metadata.
/// </summary>
internal static class ModelPrecheck
{
    /// <summary>Largest model file accepted. A coordinatewise optimizer is a few kilobytes to a few megabytes.</summary>
    public const long MaxModelBytes = 256L << 20;

    /// <summary>Largest number of weight elements accepted, for the same reason.</summary>
    public const long MaxParameters = 16L << 20;

    /// <exception cref="ContractViolationException">The file is not a usable contract-v1 model; the message says why.</exception>
    public static (OnnxModel Model, OptimizerContract Contract) Check(byte[] bytes)
    {
        if (bytes.Length == 0) throw new ContractViolationException("the model is empty (0 bytes): expected an ONNX file");
        if (bytes.Length > MaxModelBytes)
            throw new ContractViolationException(
                $"the model is {bytes.Length / (1024.0 * 1024.0):0} MiB; a coordinatewise optimizer is far smaller and this runtime refuses files over {MaxModelBytes >> 20} MiB");

        OnnxModel model;
        try
        {
            model = OnnxModelReader.Read(bytes);
        }
        catch (OnnxFormatException e)
        {
            throw new ContractViolationException($"the file is not a readable ONNX model (not ONNX, or truncated): {e.Message}", e);
        }

        var graph = model.Graph;
        if (model.HasFunctions)
            throw new ContractViolationException($"the model defines {model.FunctionCount} local function(s): contract v1 allows operators of the default ONNX domain only");
        foreach (var node in graph.Nodes)
        {
            if (node.Domain is not ("" or "ai.onnx"))
                throw new ContractViolationException(
                    $"node {node} uses operator domain '{node.Domain}': contract v1 allows the default ONNX domain only (no custom or com.microsoft operators)");
            foreach (var attribute in node.Attributes.Values)
            {
                if (attribute.HasGraph)
                    throw new ContractViolationException(
                        $"node {node} carries a subgraph (attribute '{attribute.Name}'): the runtime cannot check subgraphs against the contract, so it refuses control-flow operators");
                if (attribute.Tensor is { IsExternal: true })
                    throw new ContractViolationException($"node {node} attribute '{attribute.Name}' references external data: contract v1 requires all weights inside the file");
            }
        }

        if (graph.HasSparseInitializers)
            throw new ContractViolationException("the model has sparse initializers, which this runtime does not check or support: store weights as dense tensors");
        long parameters = 0;
        foreach (var tensor in graph.Initializers)
        {
            if (tensor.IsExternal)
                throw new ContractViolationException(
                    $"initializer '{tensor.Name}' stores its data outside the file{(tensor.ExternalData.TryGetValue("location", out var where) ? $" (in '{where}')" : "")}: contract v1 requires all weights inside the file");
            parameters += tensor.ElementCount;
            if (parameters > MaxParameters)
                throw new ContractViolationException(
                    $"the initializers declare more than {MaxParameters:N0} elements (at '{tensor.Name}', shape [{string.Join(", ", tensor.Dims)}]); a coordinatewise optimizer is far smaller, so the file is refused as corrupt or foreign");
        }

        var initializerNames = graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Inputs.Where(i => !initializerNames.Contains(i.Name)).Select(v => Signature(v, "input")).ToArray();
        var outputs = graph.Outputs.Select(v => Signature(v, "output")).ToArray();
        var contract = OptimizerContract.Check(inputs, outputs, model.Metadata);
        if (contract.StateWidth > OptimizerContract.MaxStateWidth)
            throw new ContractViolationException(
                $"the states declare {contract.StateWidth} floats per coordinate in total; this runtime accepts at most {OptimizerContract.MaxStateWidth}");
        if (!model.TryGetOpsetVersion("", out _))
            throw new ContractViolationException("the model imports no version of the default ONNX operator set (opset_import)");
        return (model, contract);
    }

    private static TensorSignature Signature(OnnxValueInfo value, string role)
    {
        if (value.IsTensor && value.Shape is null)
            throw new ContractViolationException($"{role} '{value.Name}' declares no shape: contract v1 requires every input and output to declare its rank ([N] or [N, S])");
        var type = value.IsTensor ? TypeName(value.ElementType) : "non-tensor";
        var dims = value.Shape?.Select(d => d.Kind == OnnxDimensionKind.Fixed ? (long?)d.Value : null).ToArray() ?? Array.Empty<long?>();
        return new TensorSignature(value.Name, type, dims);
    }

    private static string TypeName(OnnxDataType type) => type switch
    {
        OnnxDataType.Float => "float",
        OnnxDataType.Double => "double",
        OnnxDataType.Float16 => "float16",
        OnnxDataType.BFloat16 => "bfloat16",
        _ => type.ToString().ToLowerInvariant(),
    };
}
