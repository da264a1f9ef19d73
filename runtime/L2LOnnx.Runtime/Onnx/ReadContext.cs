namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// What one read of a file shares across all its message readers: the memory budget of
/// <see cref="ReadLimits.MaxDecodedBytes"/>, and the first place of each construct that the reader
/// detects without modelling it, so that a validator can refuse a file that ONNX Runtime would read
/// differently.
/// </summary>
internal sealed class ReadContext
{
    /// <summary>Estimated cost of one decoded message object, in bytes.</summary>
    public const int MessageCost = 64;

    private long decodedBytes;

    /// <summary>Where the first tensor with external data is, and which file it names; null when none.</summary>
    public string? FirstExternalData { get; private set; }

    /// <summary>
    /// Where the first length-delimited field is whose number this reader does not know. Protobuf keeps
    /// such fields as opaque bytes, but a newer ONNX may declare it as a message and fail to parse it.
    /// </summary>
    public string? FirstUnknownField { get; private set; }

    /// <summary>Where the first sparse tensor is (a sparse initializer or a sparse attribute value).</summary>
    public string? FirstSparseTensor { get; private set; }

    /// <summary>Where the first field is that this reader detects but does not decode (training info, device configurations, quantization annotations).</summary>
    public string? FirstUndecoded { get; private set; }

    /// <summary>Adds <paramref name="bytes"/> to the decoded size; false once the budget is exceeded.</summary>
    public bool TryCharge(long bytes)
    {
        decodedBytes += bytes;
        return decodedBytes <= ReadLimits.MaxDecodedBytes;
    }

    public void External(string where) => FirstExternalData ??= where;

    public void Unknown(string where) => FirstUnknownField ??= where;

    public void Sparse(string where) => FirstSparseTensor ??= where;

    public void Undecoded(string where) => FirstUndecoded ??= where;
}
