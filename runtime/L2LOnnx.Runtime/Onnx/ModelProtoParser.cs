using System.Collections.ObjectModel;

namespace L2LOnnx.Runtime.Onnx;

/// <summary>Decodes the top-level <c>ModelProto</c>; field numbers from onnx.proto.</summary>
internal static class ModelProtoParser
{
    private const int IrVersionField = 1;
    private const int ProducerNameField = 2;
    private const int ProducerVersionField = 3;
    private const int DomainField = 4;
    private const int ModelVersionField = 5;
    private const int DocStringField = 6;
    private const int GraphField = 7;
    private const int OpsetImportField = 8;
    private const int MetadataPropsField = 14;
    private const int TrainingInfoField = 20;
    private const int FunctionsField = 25;
    private const int ConfigurationField = 26;

    private const int OpsetDomainField = 1;
    private const int OpsetVersionField = 2;

    public static OnnxModel Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            throw new OnnxFormatException("not an ONNX model: the input is empty");
        }

        var reader = new ProtoReader(bytes, "ModelProto");
        long irVersion = 0;
        string producerName = string.Empty;
        string producerVersion = string.Empty;
        string domain = string.Empty;
        long modelVersion = 0;
        string docString = string.Empty;
        OnnxGraph? graph = null;
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        int functionCount = 0;

        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case IrVersionField:
                    irVersion = reader.ReadInt64(wire, "ir_version");
                    break;
                case ProducerNameField:
                    producerName = reader.ReadString(wire, "producer_name");
                    break;
                case ProducerVersionField:
                    producerVersion = reader.ReadString(wire, "producer_version");
                    break;
                case DomainField:
                    domain = reader.ReadString(wire, "domain");
                    break;
                case ModelVersionField:
                    modelVersion = reader.ReadInt64(wire, "model_version");
                    break;
                case DocStringField:
                    docString = reader.ReadString(wire, "doc_string");
                    break;
                case GraphField:
                    if (graph is not null)
                    {
                        // Protobuf would merge a second copy into the first; no writer does that, so it signals corruption.
                        throw reader.ErrorAtField("graph appears more than once");
                    }

                    graph = GraphProtoParser.Parse(reader.ReadMessage(wire, "graph", "ModelProto.graph"));
                    break;
                case OpsetImportField:
                    reader.RequireRoom(opsets.Count, ReadLimits.MaxMapEntries, "opset_import entries");
                    ReadOpset(ref reader, wire, opsets);
                    break;
                case MetadataPropsField:
                    reader.RequireRoom(metadata.Count, ReadLimits.MaxMapEntries, "metadata_props entries");
                    StringEntryParser.ReadInto(ref reader, wire, "metadata_props", metadata);
                    break;
                case TrainingInfoField:
                case ConfigurationField:
                    // Detected only: outside the optimizer contract, and a validator must be able to refuse them.
                    reader.Expect(wire, WireType.LengthDelimited, field == TrainingInfoField ? "training_info" : "configuration");
                    reader.Context.Undecoded($"{(field == TrainingInfoField ? "training_info" : "configuration")} at byte {reader.FieldOffset}");
                    reader.Skip(wire);
                    break;
                case FunctionsField:
                    // Only counted: model-local functions are outside the optimizer contract, but callers must be able to refuse them.
                    reader.Expect(wire, WireType.LengthDelimited, "functions");
                    reader.Skip(wire);
                    functionCount++;
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }

        if (graph is null)
        {
            throw new OnnxFormatException("not an ONNX model: no graph (ModelProto field 7)");
        }

        if (irVersion <= 0)
        {
            throw new OnnxFormatException($"not an ONNX model: ir_version is {(irVersion == 0 ? "missing" : irVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        }

        return new OnnxModel(
            irVersion,
            new ReadOnlyDictionary<string, long>(opsets),
            producerName,
            producerVersion,
            domain,
            modelVersion,
            docString,
            new ReadOnlyDictionary<string, string>(metadata),
            graph,
            functionCount,
            reader.Context);
    }

    private static void ReadOpset(ref ProtoReader parent, WireType wire, Dictionary<string, long> opsets)
    {
        ProtoReader reader = parent.ReadMessage(wire, "opset_import", $"ModelProto.opset_import[{opsets.Count}]");
        string domain = string.Empty;
        long version = 0;
        while (reader.TryReadTag(out int field, out WireType fieldWire))
        {
            switch (field)
            {
                case OpsetDomainField:
                    domain = reader.ReadString(fieldWire, "domain");
                    break;
                case OpsetVersionField:
                    version = reader.ReadInt64(fieldWire, "version");
                    break;
                default:
                    reader.SkipUnknown(fieldWire);
                    break;
            }
        }

        if (!opsets.TryAdd(domain, version))
        {
            throw parent.ErrorAtField($"opset domain '{domain}' is imported more than once");
        }
    }
}
