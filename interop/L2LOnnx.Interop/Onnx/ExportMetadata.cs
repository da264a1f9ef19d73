namespace L2LOnnx.Interop.Onnx;

/// <summary>
/// What an exported file records about where it came from, beyond the network's shape (which the
/// exporter reads from the network itself).
/// </summary>
public sealed record ExportMetadata
{
    /// <summary>Problem family the optimizer was meta-trained on, e.g. <c>quadratic-10d</c>.</summary>
    public string TrainedOn { get; init; } = "unknown";

    /// <summary>Free-form details (meta-training settings, counts, validation score), stored as <c>l2l.&lt;key&gt;</c>.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
}
