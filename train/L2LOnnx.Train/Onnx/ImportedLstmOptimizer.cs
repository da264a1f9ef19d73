using L2LOnnx.Train.Optimizers;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// An optimizer network read back from an ONNX file, with what the file said about it. Owns the
/// network: dispose this (or the network) when done.
/// </summary>
public sealed class ImportedLstmOptimizer : IDisposable
{
    internal ImportedLstmOptimizer(LstmOptimizer network, IReadOnlyDictionary<string, string> metadata, double? verifiedDifference)
    {
        Network = network;
        Metadata = metadata;
        VerifiedDifference = verifiedDifference;
    }

    /// <summary>The TorchSharp network, with the file's weights bit for bit; ready to evaluate or meta-train further.</summary>
    public LstmOptimizer Network { get; }

    /// <summary>The file's <c>metadata_props</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// The largest relative difference between the file run by ONNX Runtime and the imported network over
    /// the import check's steps, or null when the check was skipped.
    /// </summary>
    public double? VerifiedDifference { get; }

    /// <summary>
    /// Metadata for exporting the network again: the original problem family, group and l2l details
    /// (meta-training settings, scores) carried over, and <c>l2l.imported_from</c> naming the file's producer.
    /// Keys the exporter derives from the network (shape, hash, producer) are left to it.
    /// </summary>
    public ExportMetadata Provenance
    {
        get
        {
            var details = Metadata
                .Where(m => m.Key.StartsWith("l2l.", StringComparison.Ordinal) && !LstmMetadataKeys.Derived.Contains(m.Key))
                .ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
            if (!details.ContainsKey(LstmMetadataKeys.ImportedFrom) && Metadata.TryGetValue(Runtime.ContractV1.ProducerKey, out var producer))
                details[LstmMetadataKeys.ImportedFrom] = producer;
            return new ExportMetadata
            {
                TrainedOn = Metadata.GetValueOrDefault(Runtime.ContractV1.TrainedOnKey, "unknown"),
                Group = Metadata.GetValueOrDefault(LstmMetadataKeys.Group),
                Details = details,
            };
        }
    }

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();
}
