using System.Collections.ObjectModel;

namespace L2LOnnx.Runtime.Onnx;

/// <summary>Decodes <c>TensorProto</c>; field numbers from onnx.proto.</summary>
internal static class TensorProtoParser
{
    private const int DimsField = 1;
    private const int DataTypeField = 2;
    private const int SegmentField = 3;
    private const int FloatDataField = 4;
    private const int Int32DataField = 5;
    private const int StringDataField = 6;
    private const int Int64DataField = 7;
    private const int NameField = 8;
    private const int RawDataField = 9;
    private const int DoubleDataField = 10;
    private const int Uint64DataField = 11;
    private const int DocStringField = 12;
    private const int ExternalDataField = 13;
    private const int DataLocationField = 14;
    private const int MetadataPropsField = 16;

    private const int SegmentBeginField = 1;
    private const int SegmentEndField = 2;

    /// <summary><c>TensorProto.DataLocation.EXTERNAL</c>.</summary>
    private const int ExternalLocation = 1;

    public static OnnxTensor Parse(ProtoReader reader)
    {
        string name = string.Empty;
        var dataType = OnnxDataType.Undefined;
        var dims = new List<long>();
        var floatData = new List<float>();
        var int32Data = new List<int>();
        var int64Data = new List<long>();
        var doubleData = new List<double>();
        byte[]? rawData = null;
        int dataLocation = 0;
        Dictionary<string, string>? externalData = null;
        bool sawSegment = false;
        int strings = 0;
        List<long>? uint64Data = null;

        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case DimsField:
                    int before = dims.Count;
                    reader.ReadInt64s(wire, "dims", dims);
                    if (dims.Count > ReadLimits.MaxRank)
                    {
                        throw reader.ErrorAtField($"more than {ReadLimits.MaxRank} dims: the file is refused as hostile or corrupt (see ReadLimits)");
                    }

                    for (int d = before; d < dims.Count; d++)
                    {
                        if (dims[d] < 0)
                        {
                            throw reader.ErrorAtField($"dims[{d}] is negative ({dims[d]})");
                        }
                    }

                    break;
                case DataTypeField:
                    dataType = (OnnxDataType)reader.ReadInt32(wire, "data_type");
                    break;
                case FloatDataField:
                    reader.ReadFloats(wire, "float_data", floatData);
                    break;
                case Int32DataField:
                    reader.ReadInt32s(wire, "int32_data", int32Data);
                    break;
                case Int64DataField:
                    reader.ReadInt64s(wire, "int64_data", int64Data);
                    break;
                case NameField:
                    name = reader.ReadString(wire, "name");
                    break;
                case RawDataField:
                    // Copied so the model never aliases the caller's buffer; weights are small next to the file itself.
                    ReadOnlySpan<byte> raw = reader.ReadBytes(wire, "raw_data");
                    reader.Charge(raw.Length);
                    rawData = raw.ToArray();
                    break;
                case DoubleDataField:
                    reader.ReadDoubles(wire, "double_data", doubleData);
                    break;
                case SegmentField:
                    if (sawSegment)
                    {
                        // Protobuf would merge the two messages; refusing keeps this reader and ONNX Runtime in agreement.
                        throw reader.ErrorAtField("segment appears more than once");
                    }

                    sawSegment = true;
                    ReadSegment(reader.ReadMessage(wire, "segment", $"{reader.Where}.segment"));
                    break;
                case StringDataField:
                    reader.RequireRoom(strings, ReadLimits.MaxListEntries, "string_data entries");
                    reader.ReadBytes(wire, "string_data");
                    strings++;
                    break;
                case Uint64DataField:
                    // Decoded (and dropped) so that malformed packed data is refused here, as protobuf would.
                    reader.ReadInt64s(wire, "uint64_data", uint64Data ??= new List<long>());
                    break;
                case DocStringField:
                    reader.ReadString(wire, "doc_string");
                    break;
                case MetadataPropsField:
                    StringEntryParser.ReadAll(ref reader, wire, "metadata_props");
                    break;
                case ExternalDataField:
                    reader.RequireRoom(externalData?.Count ?? 0, ReadLimits.MaxMapEntries, "external_data entries");
                    externalData ??= new Dictionary<string, string>(StringComparer.Ordinal);
                    StringEntryParser.ReadInto(ref reader, wire, "external_data", externalData);
                    break;
                case DataLocationField:
                    dataLocation = reader.ReadInt32(wire, "data_location");
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }

        bool isExternal = dataLocation == ExternalLocation || externalData is { Count: > 0 };
        if (isExternal)
        {
            string location = externalData is not null && externalData.TryGetValue("location", out string? file) ? $" (file '{file}')" : string.Empty;
            reader.Context.External($"{reader.Where}{(name.Length > 0 ? $" ('{name}')" : string.Empty)}{location}");
        }

        long elementCount = 1;
        foreach (long dim in dims)
        {
            // Checked so a hostile shape cannot wrap around to a small count and pass the data-length checks.
            if (dim != 0 && elementCount > long.MaxValue / dim)
            {
                throw reader.ErrorInMessage($"tensor '{name}' dims [{string.Join(',', dims)}] have a product that overflows a 64-bit count");
            }

            elementCount *= dim;
        }

        return new OnnxTensor(
            name,
            dataType,
            [.. dims],
            elementCount,
            rawData,
            [.. floatData],
            [.. int32Data],
            [.. int64Data],
            [.. doubleData],
            isExternal,
            externalData is null ? OnnxTensor.NoExternalData : new ReadOnlyDictionary<string, string>(externalData));
    }

    private static void ReadSegment(ProtoReader reader)
    {
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case SegmentBeginField:
                    reader.ReadInt64(wire, "begin");
                    break;
                case SegmentEndField:
                    reader.ReadInt64(wire, "end");
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }
    }
}
