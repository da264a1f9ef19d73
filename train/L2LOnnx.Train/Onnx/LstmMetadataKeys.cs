using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// The <c>metadata_props</c> keys that describe a coordinatewise LSTM optimizer, beyond the contract's
/// own (<see cref="ContractV1"/>). The exporter writes them; the importer reads them back.
/// </summary>
public static class LstmMetadataKeys
{
    /// <summary>Number of stacked LSTM layers.</summary>
    public const string Layers = "l2l.lstm.layers";

    /// <summary>Hidden units per layer.</summary>
    public const string HiddenSize = "l2l.lstm.hidden_size";

    /// <summary><c>log-sign p=&lt;p&gt;</c> (the paper's appendix A) or <c>none</c>.</summary>
    public const string Preprocessing = "l2l.preprocessing";

    /// <summary>The constant multiplier on the linear output.</summary>
    public const string OutputScale = "l2l.output_scale";

    /// <summary>SHA-256 over the initializers (see <see cref="LstmOptimizerExporter.WeightsHash"/>).</summary>
    public const string WeightsHash = "l2l.weights_sha256";

    /// <summary>The parameter group the network serves, when there is one network per group.</summary>
    public const string Group = "l2l.group";

    /// <summary>The producer of the file a re-exported network was imported from.</summary>
    public const string ImportedFrom = "l2l.imported_from";

    /// <summary>The keys the exporter derives from the network itself, so a re-export never copies stale ones.</summary>
    public static IReadOnlySet<string> Derived { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ContractV1.FormatKey, ContractV1.ArchitectureKey, ContractV1.TrainedOnKey, ContractV1.ProducerKey,
        Layers, HiddenSize, Preprocessing, OutputScale, WeightsHash, ContractV1.MetadataHashKey, Group,
    };

    /// <summary>
    /// Reads a <see cref="Preprocessing"/> value: <c>log-sign p=&lt;p&gt;</c> gives p, <c>none</c> gives null.
    /// Returns false when the text is neither.
    /// </summary>
    public static bool TryParsePreprocessing(string text, out double? p)
    {
        p = null;
        text = text.Trim();
        if (text == "none") return true;
        const string prefix = "log-sign p=";
        if (!text.StartsWith(prefix, StringComparison.Ordinal)
            || !double.TryParse(text.AsSpan(prefix.Length), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
            return false;
        p = value;
        return true;
    }

    /// <summary>The value of <see cref="Preprocessing"/> for preprocessing parameter <paramref name="p"/>.</summary>
    public static string DescribePreprocessing(double? p) =>
        p is { } value ? $"log-sign p={value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" : "none";
}
