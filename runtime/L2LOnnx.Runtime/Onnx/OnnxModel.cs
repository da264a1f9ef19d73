namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// An immutable description of an ONNX <c>ModelProto</c>, as read by <see cref="OnnxModelReader"/>.
/// It holds no reference to the bytes it was read from.
/// </summary>
public sealed class OnnxModel
{
    internal OnnxModel(
        long irVersion,
        IReadOnlyDictionary<string, long> opsets,
        string producerName,
        string producerVersion,
        string domain,
        long modelVersion,
        string docString,
        IReadOnlyDictionary<string, string> metadata,
        OnnxGraph graph,
        int functionCount,
        ReadContext findings)
    {
        Findings = findings;
        IrVersion = irVersion;
        Opsets = opsets;
        ProducerName = producerName;
        ProducerVersion = producerVersion;
        Domain = domain;
        ModelVersion = modelVersion;
        DocString = docString;
        Metadata = metadata;
        Graph = graph;
        FunctionCount = functionCount;
    }

    /// <summary>The ONNX IR version (always at least 1; the reader rejects models without one).</summary>
    public long IrVersion { get; }

    /// <summary>
    /// Imported operator sets, domain to version, exactly as written: the default domain may appear as
    /// <c>""</c> or <c>ai.onnx</c>. Use <see cref="TryGetOpsetVersion"/> to treat both alike.
    /// </summary>
    public IReadOnlyDictionary<string, long> Opsets { get; }

    /// <summary>The producing tool, e.g. <c>pytorch</c>; empty when absent.</summary>
    public string ProducerName { get; }

    /// <summary>The producing tool's version; empty when absent.</summary>
    public string ProducerVersion { get; }

    /// <summary>The model's reverse-DNS domain; empty when absent.</summary>
    public string Domain { get; }

    /// <summary>The model version; 0 when absent.</summary>
    public long ModelVersion { get; }

    /// <summary>The documentation string; empty when absent.</summary>
    public string DocString { get; }

    /// <summary>The <c>metadata_props</c> entries; keys are unique (duplicates are rejected while reading).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The main graph.</summary>
    public OnnxGraph Graph { get; }

    /// <summary>How many model-local functions the model defines; their bodies are not decoded.</summary>
    public int FunctionCount { get; }

    /// <summary>Constructs found while reading that the reader detects but does not model, for validators.</summary>
    internal ReadContext Findings { get; }

    /// <summary>True when the model defines model-local functions.</summary>
    public bool HasFunctions => FunctionCount > 0;

    /// <summary>Looks up an imported opset version, treating <c>""</c> and <c>ai.onnx</c> as the same domain.</summary>
    /// <param name="domain">The operator domain.</param>
    /// <param name="version">The imported version, when found.</param>
    /// <returns>True when the domain is imported.</returns>
    public bool TryGetOpsetVersion(string domain, out long version)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (Opsets.TryGetValue(domain, out version))
        {
            return true;
        }

        string? alias = domain switch
        {
            "" => "ai.onnx",
            "ai.onnx" => "",
            _ => null,
        };
        return alias is not null && Opsets.TryGetValue(alias, out version);
    }
}
