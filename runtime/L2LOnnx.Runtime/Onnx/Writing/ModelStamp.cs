using Google.Protobuf;
using Onnx;

namespace L2LOnnx.Runtime.Onnx.Writing;

/// <summary>
/// Stamps a model with <c>l2l.metadata_sha256</c> (<see cref="MetadataHash"/>): the weights hash, when
/// there is one, becomes the first metadata entry and the metadata hash the last, so that a file cut at
/// any field boundary after its graph is refused at load (docs/contract-v1.md, "Truncation"). Every file
/// <see cref="OnnxGraphWriter"/> writes is stamped; <c>l2l stamp</c> stamps existing files.
/// </summary>
/// <remarks>
/// Stamping certifies the metadata as it is: a file that was already cut before it is stamped keeps what
/// it lost. That is why a file whose weights do not match its weights hash is refused rather than stamped.
/// </remarks>
public static class ModelStamp
{
    /// <summary>
    /// Stamps <paramref name="model"/> in memory: drops any earlier <c>l2l.metadata_sha256</c>, moves
    /// <c>l2l.weights_sha256</c> first, and appends the metadata hash of the result as the last entry.
    /// Change nothing in the graph's inputs, outputs or metadata afterwards, or stamp again.
    /// </summary>
    /// <exception cref="ArgumentException">The model is not readable ONNX (for example a metadata key appears twice).</exception>
    public static void Apply(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        // OrderBy is stable: every other entry keeps its place.
        var entries = model.MetadataProps
            .Where(e => e.Key != ContractV1.MetadataHashKey)
            .OrderBy(e => e.Key == ContractV1.WeightsHashKey ? 0 : 1)
            .ToList();
        model.MetadataProps.Clear();
        model.MetadataProps.Add(entries);
        OnnxModel read;
        try
        {
            read = OnnxModelReader.Read(model.ToByteArray());
        }
        catch (OnnxFormatException e)
        {
            throw new ArgumentException($"the model cannot be stamped, it is not readable ONNX: {e.Message}", nameof(model), e);
        }
        model.MetadataProps.Add(new StringStringEntryProto { Key = ContractV1.MetadataHashKey, Value = MetadataHash.Compute(read) });
    }

    /// <summary>
    /// Stamps a serialized contract-v1 model. Returns <paramref name="model"/> itself when it is already
    /// stamped (its metadata hash matches, comes last, and the weights hash comes first), otherwise the
    /// stamped bytes, which load in the runtime.
    /// </summary>
    /// <exception cref="ContractViolationException">
    /// The file is not a readable ONNX model, its weights do not match its <c>l2l.weights_sha256</c>, or it
    /// breaks contract v1 in another way (the message says which); nothing is stamped.
    /// </exception>
    public static byte[] Stamp(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (IsStamped(model)) return model;

        OnnxModel read;
        try
        {
            read = OnnxModelReader.Read(model);
        }
        catch (OnnxFormatException e)
        {
            throw new ContractViolationException($"not stamped: the file is not a readable ONNX model: {e.Message}", e);
        }
        if (read.Metadata.TryGetValue(ContractV1.WeightsHashKey, out var recorded) && !string.Equals(recorded.Trim(), WeightsHash.Compute(read.Graph), StringComparison.OrdinalIgnoreCase))
            throw new ContractViolationException(
                $"not stamped: the weights do not match '{ContractV1.WeightsHashKey}', so the file is corrupt or its weights were edited, " +
                "and stamping would certify them; re-export the model");

        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ContractViolationException($"not stamped: protobuf cannot parse the file: {e.Message}", e);
        }
        Apply(proto);
        var stamped = proto.ToByteArray();
        try
        {
            ModelPrecheck.Check(stamped);
        }
        catch (ContractViolationException e)
        {
            throw new ContractViolationException($"not stamped: {e.Message}", e);
        }
        return stamped;
    }

    /// <summary>
    /// Stamps the file at <paramref name="path"/> in place, through a temporary file and a rename, so the
    /// file is either the old one or the complete stamped one. Idempotent: an already stamped file is not
    /// written at all.
    /// </summary>
    /// <returns>True when the file was rewritten, false when it was already stamped.</returns>
    /// <exception cref="IOException">The file cannot be read or replaced.</exception>
    /// <exception cref="ContractViolationException">As for <see cref="Stamp"/>; the file is left as it was.</exception>
    public static bool StampFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        byte[] stamped;
        try
        {
            stamped = Stamp(bytes);
        }
        catch (ContractViolationException e)
        {
            throw new ContractViolationException($"{path}: {e.Message}", e);
        }
        if (ReferenceEquals(stamped, bytes)) return false;
        AtomicFile.WriteAllBytes(path, stamped);
        return true;
    }

    private static bool IsStamped(byte[] model)
    {
        OnnxModel read;
        try
        {
            read = ModelPrecheck.Check(model).Model;
        }
        catch (ContractViolationException)
        {
            return false;
        }
        var keys = read.Metadata.Keys;
        return keys.Contains(ContractV1.MetadataHashKey)
            && (!keys.Contains(ContractV1.WeightsHashKey) || keys.First() == ContractV1.WeightsHashKey);
    }
}
