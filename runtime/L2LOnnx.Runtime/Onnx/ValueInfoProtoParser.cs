namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// Decodes <c>ValueInfoProto</c> and <c>TypeProto</c>. The model exposes dense tensor element type and
/// shape; other kinds (sequence, map, optional, sparse, opaque) are recorded as a kind, and decoded in
/// full only to check they are well-formed, as ONNX Runtime's protobuf parser will.
/// </summary>
/// <remarks>
/// A singular embedded message that appears twice is refused: protobuf merges the two (a second
/// <c>tensor_type</c> appends its dims to the first), and no writer produces that. A <c>TypeProto</c>
/// with more than one member of its <c>value</c> oneof is refused for the same reason.
/// </remarks>
internal static class ValueInfoProtoParser
{
    private const int NameField = 1;
    private const int TypeField = 2;
    private const int DocStringField = 3;
    private const int MetadataPropsField = 4;

    private const int TensorTypeField = 1;
    private const int SequenceTypeField = 4;
    private const int MapTypeField = 5;
    private const int DenotationField = 6;
    private const int OpaqueTypeField = 7;
    private const int SparseTensorTypeField = 8;
    private const int OptionalTypeField = 9;

    private const int ElemTypeField = 1;
    private const int ShapeField = 2;
    private const int MapKeyTypeField = 1;
    private const int MapValueTypeField = 2;

    public static OnnxValueInfo Parse(ProtoReader reader)
    {
        string name = string.Empty;
        var kind = OnnxValueKind.Unspecified;
        var elementType = OnnxDataType.Undefined;
        OnnxDimension[]? shape = null;
        bool sawType = false;

        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case NameField:
                    name = reader.ReadString(wire, "name");
                    break;
                case TypeField:
                    Once(ref reader, ref sawType, "type");
                    (kind, elementType, shape) = ParseType(reader.ReadMessage(wire, "type", $"{reader.Where}.type"));
                    break;
                case DocStringField:
                    reader.ReadString(wire, "doc_string");
                    break;
                case MetadataPropsField:
                    StringEntryParser.ReadAll(ref reader, wire, "metadata_props");
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }

        return new OnnxValueInfo(name, kind, elementType, shape);
    }

    /// <summary>Decodes a <c>TypeProto</c>; element type and shape are meaningful for dense tensors only.</summary>
    public static (OnnxValueKind Kind, OnnxDataType ElementType, OnnxDimension[]? Shape) ParseType(ProtoReader reader)
    {
        var kind = OnnxValueKind.Unspecified;
        var elementType = OnnxDataType.Undefined;
        OnnxDimension[]? shape = null;
        bool sawValue = false;

        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case TensorTypeField:
                    Once(ref reader, ref sawValue, "a value type (tensor_type, sequence_type, map_type, ...)");
                    kind = OnnxValueKind.Tensor;
                    (elementType, shape) = ParseTensorType(reader.ReadMessage(wire, "tensor_type", $"{reader.Where}.tensor_type"));
                    break;
                case SequenceTypeField:
                case OptionalTypeField:
                    Once(ref reader, ref sawValue, "a value type (tensor_type, sequence_type, map_type, ...)");
                    kind = field == SequenceTypeField ? OnnxValueKind.Sequence : OnnxValueKind.Optional;
                    ParseElementType(reader.ReadMessage(wire, field == SequenceTypeField ? "sequence_type" : "optional_type", $"{reader.Where}.{(field == SequenceTypeField ? "sequence_type" : "optional_type")}"));
                    break;
                case MapTypeField:
                    Once(ref reader, ref sawValue, "a value type (tensor_type, sequence_type, map_type, ...)");
                    kind = OnnxValueKind.Map;
                    ParseMapType(reader.ReadMessage(wire, "map_type", $"{reader.Where}.map_type"));
                    break;
                case SparseTensorTypeField:
                    Once(ref reader, ref sawValue, "a value type (tensor_type, sequence_type, map_type, ...)");
                    kind = OnnxValueKind.SparseTensor;
                    ParseTensorType(reader.ReadMessage(wire, "sparse_tensor_type", $"{reader.Where}.sparse_tensor_type"));
                    break;
                case OpaqueTypeField:
                    Once(ref reader, ref sawValue, "a value type (tensor_type, sequence_type, map_type, ...)");
                    kind = OnnxValueKind.Unspecified;
                    ParseStrings(reader.ReadMessage(wire, "opaque_type", $"{reader.Where}.opaque_type"));
                    break;
                case DenotationField:
                    reader.ReadString(wire, "denotation");
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }

        return (kind, elementType, shape);
    }

    private static void ParseElementType(ProtoReader reader)
    {
        bool sawElement = false;
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            if (field == ElemTypeField)
            {
                Once(ref reader, ref sawElement, "elem_type");
                ParseType(reader.ReadMessage(wire, "elem_type", $"{reader.Where}.elem_type"));
            }
            else
            {
                reader.SkipUnknown(wire);
            }
        }
    }

    private static void ParseMapType(ProtoReader reader)
    {
        bool sawValue = false;
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case MapKeyTypeField:
                    reader.ReadInt32(wire, "key_type");
                    break;
                case MapValueTypeField:
                    Once(ref reader, ref sawValue, "value_type");
                    ParseType(reader.ReadMessage(wire, "value_type", $"{reader.Where}.value_type"));
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }
    }

    /// <summary>Reads a message whose known fields are all strings (<c>TypeProto.Opaque</c>: domain = 1, name = 2).</summary>
    private static void ParseStrings(ProtoReader reader)
    {
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            if (field is 1 or 2)
            {
                reader.ReadString(wire, field == 1 ? "domain" : "name");
            }
            else
            {
                reader.SkipUnknown(wire);
            }
        }
    }

    private static (OnnxDataType ElementType, OnnxDimension[]? Shape) ParseTensorType(ProtoReader reader)
    {
        var elementType = OnnxDataType.Undefined;
        OnnxDimension[]? shape = null;
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case ElemTypeField:
                    elementType = (OnnxDataType)reader.ReadInt32(wire, "elem_type");
                    break;
                case ShapeField:
                    if (shape is not null)
                    {
                        throw reader.ErrorAtField("shape appears more than once");
                    }

                    shape = TensorShapeProtoParser.Parse(reader.ReadMessage(wire, "shape", $"{reader.Where}.shape"));
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }

        return (elementType, shape);
    }

    private static void Once(ref ProtoReader reader, ref bool seen, string name)
    {
        if (seen)
        {
            throw reader.ErrorAtField($"{name} appears more than once (protobuf would merge the copies)");
        }

        seen = true;
    }
}
