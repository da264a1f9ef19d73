using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime;

/// <summary>
/// Checks a model file against contract v1 with the runtime's own ONNX reader, before ONNX Runtime sees
/// a byte of it: well-formed ONNX that ONNX Runtime's protobuf parser reads exactly as this reader does,
/// default operator domain only, no data outside the file, bounded sizes, a well-wired graph, and the
/// contract's inputs, outputs and metadata. docs/runtime.md, "Hostile input", lists every rule.
/// </summary>
internal static class ModelPrecheck
{
    /// <summary>Largest model file accepted. A coordinatewise optimizer is a few kilobytes to a few megabytes.</summary>
    public const long MaxModelBytes = 256L << 20;

    /// <summary>
    /// Largest number of constant elements accepted: initializers, <c>Constant</c> values, and what
    /// shape-making operators (ConstantOfShape, Expand, Tile, ...) build from constant shapes, together.
    /// </summary>
    public const long MaxParameters = 16L << 20;

    /// <summary>Oldest ONNX IR version accepted (IR 3 introduced operator-set imports).</summary>
    public const long MinIrVersion = 3;

    /// <summary>Newest ONNX IR version the bundled ONNX Runtime (1.31) reads (measured: 13 loads, 14 is refused).</summary>
    public const long MaxIrVersion = 13;

    /// <summary>Oldest default-domain operator set accepted; ONNX Runtime 1.31 supports 7 and newer.</summary>
    public const long MinOpset = 7;

    /// <summary>Newest default-domain operator set the bundled ONNX Runtime (1.31) implements (measured: 26 loads, 27 is refused).</summary>
    public const long MaxOpset = 26;

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

        RefuseUnmodelled(model);
        RequireVersions(model);
        GraphPrecheck.Check(model.Graph);
        OperatorArity.Check(model.Graph);

        var graph = model.Graph;
        var initializerNames = graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Inputs.Where(i => !initializerNames.Contains(i.Name)).Select(v => Signature(v, "input")).ToArray();
        var outputs = graph.Outputs.Select(v => Signature(v, "output")).ToArray();
        var contract = OptimizerContract.Check(inputs, outputs, model.Metadata);
        if (contract.StateWidth > OptimizerContract.MaxStateWidth)
            throw new ContractViolationException(
                $"the states declare {contract.StateWidth} floats per coordinate in total; this runtime accepts at most {OptimizerContract.MaxStateWidth}");
        RequireHashes(model);
        return (model, contract);
    }

    /// <summary>Everything the reader detects without modelling it is refused: ONNX Runtime would act on it unchecked.</summary>
    private static void RefuseUnmodelled(OnnxModel model)
    {
        var findings = model.Findings;
        if (findings.FirstExternalData is { } external)
            throw new ContractViolationException(
                $"{external} stores its data outside the file: contract v1 requires all weights inside the file, and the runtime never opens another file");
        if (findings.FirstSparseTensor is { } sparse)
            throw new ContractViolationException(
                $"the model has sparse tensors (first at {sparse}), which this runtime does not check or support: store weights as dense tensors");
        if (model.HasFunctions)
            throw new ContractViolationException($"the model defines {model.FunctionCount} local function(s): contract v1 allows operators of the default ONNX domain only");
        if (findings.FirstUndecoded is { } undecoded)
            throw new ContractViolationException($"the model carries {undecoded}, which is outside contract v1 and not checked by this runtime");
        if (findings.FirstUnknownField is { } unknown)
            throw new ContractViolationException(
                $"the file has {unknown}, which this runtime's reader does not know: ONNX Runtime might read it differently, so the file is refused (corrupt, or from a newer ONNX)");
    }

    private static void RequireVersions(OnnxModel model)
    {
        if (model.IrVersion is < MinIrVersion or > MaxIrVersion)
            throw new ContractViolationException(
                $"the model has IR version {model.IrVersion}; this runtime (ONNX Runtime 1.31) reads IR versions {MinIrVersion} to {MaxIrVersion}");
        if (!model.TryGetOpsetVersion("", out var opset))
            throw new ContractViolationException("the model imports no version of the default ONNX operator set (opset_import)");
        if (opset is < MinOpset or > MaxOpset)
            throw new ContractViolationException(
                $"the model imports default operator set {opset}; this runtime (ONNX Runtime 1.31) implements operator sets {MinOpset} to {MaxOpset}");
        foreach (var (domain, _) in model.Opsets)
            if (domain is not ("" or "ai.onnx"))
                throw new ContractViolationException($"the model imports operator domain '{domain}': contract v1 allows the default ONNX domain only");
    }

    /// <summary>
    /// Protobuf has no end marker, so a file cut at a field boundary among the metadata entries still
    /// parses. Our exporters write <c>l2l.weights_sha256</c> first and <c>l2l.metadata_sha256</c> last, so
    /// every cut shows: the format key goes, or the other <c>l2l.*</c> keys stay without the weights hash,
    /// or the weights hash stays without the metadata hash. Files with neither hash (a third party's
    /// <c>l2l.format</c> alone) have nothing the runtime needs to lose and load as they are.
    /// </summary>
    private static void RequireHashes(OnnxModel model)
    {
        var stamped = model.Metadata.TryGetValue(ContractV1.MetadataHashKey, out var recordedMetadata);
        if (stamped)
        {
            // The reader keeps metadata in file order (a dictionary filled once, never removed from).
            var last = model.Metadata.Keys.Last();
            if (last != ContractV1.MetadataHashKey)
                throw new ContractViolationException(
                    $"'{ContractV1.MetadataHashKey}' must be the last metadata entry, but '{last}' follows it: the file was edited; " +
                    $"if you trust its content, stamp it again with 'l2l stamp <file>'");
            var actualMetadata = MetadataHash.Compute(model);
            if (!string.Equals(recordedMetadata!.Trim(), actualMetadata, StringComparison.OrdinalIgnoreCase))
                throw new ContractViolationException(
                    $"the metadata, inputs or outputs do not match '{ContractV1.MetadataHashKey}' (recorded {Short(recordedMetadata)}, computed {Short(actualMetadata)}): " +
                    "the file is corrupt or was edited after export; re-export it, or if you made the edit and trust it, stamp it again with 'l2l stamp <file>'");
        }

        if (model.Metadata.TryGetValue(ContractV1.WeightsHashKey, out var recorded))
        {
            var actual = WeightsHash.Compute(model.Graph);
            if (!string.Equals(recorded.Trim(), actual, StringComparison.OrdinalIgnoreCase))
                throw new ContractViolationException(
                    $"the weights do not match '{ContractV1.WeightsHashKey}' (recorded {Short(recorded)}, computed {Short(actual)}): the file is corrupt or was edited");
            if (!stamped)
                throw new ContractViolationException(
                    $"the metadata records '{ContractV1.WeightsHashKey}' but does not end with '{ContractV1.MetadataHashKey}': the file was cut short " +
                    "(its last metadata entries are missing), or it was exported before L2LOnnx stamped its files. Re-export it; or, if you trust " +
                    "the file to be complete, stamp it with 'l2l stamp <file>' (docs/contract-v1.md)");
            return;
        }
        var described = model.Metadata.Keys.FirstOrDefault(k => k.StartsWith("l2l.", StringComparison.Ordinal) && k is not (ContractV1.FormatKey or ContractV1.MetadataHashKey));
        if (described is not null)
            throw new ContractViolationException(
                $"the metadata has '{described}' but no '{ContractV1.WeightsHashKey}': files that describe themselves with l2l.* keys must record their weights hash (docs/contract-v1.md); this one was probably truncated");
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash;

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
