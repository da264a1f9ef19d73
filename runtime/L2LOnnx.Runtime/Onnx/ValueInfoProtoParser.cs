namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// Decodes <c>ValueInfoProto</c> and the parts of <c>TypeProto</c> the runtime needs: dense tensor
/// element type and shape. Other kinds (sequence, map, optional, sparse) are recorded, not decoded.
/// </summary>
internal static class ValueInfoProtoParser
{
    private const int NameField = 1;
    private const int TypeField = 2;

    private const int TensorTypeField = 1;
    private const int SequenceTypeField = 4;
    private const int MapTypeField = 5;
    private const int SparseTensorTypeField = 8;
    private const int OptionalTypeField = 9;

    private const int ElemTypeField = 1;
    private const int ShapeField = 2;

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
                    if (sawType)
                    {
                        throw reader.ErrorAtField("type appears more than once");
                    }

                    sawType = true;
                    (kind, elementType, shape) = ParseType(reader.ReadMessage(wire, "type", $"{reader.Where}.type"));
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new OnnxValueInfo(name, kind, elementType, shape);
    }

    private static (OnnxValueKind Kind, OnnxDataType ElementType, OnnxDimension[]? Shape) ParseType(ProtoReader reader)
    {
        var kind = OnnxValueKind.Unspecified;
        var elementType = OnnxDataType.Undefined;
        OnnxDimension[]? shape = null;

        while (reader.TryReadTag(out int field, out WireType wire))
        {
            // A oneof: the last member present wins, as in protobuf; earlier tensor details are dropped with it.
            switch (field)
            {
                case TensorTypeField:
                    kind = OnnxValueKind.Tensor;
                    (elementType, shape) = ParseTensorType(reader.ReadMessage(wire, "tensor_type", $"{reader.Where}.tensor_type"));
                    break;
                case SequenceTypeField:
                    (kind, elementType, shape) = SkipKind(ref reader, wire, "sequence_type", OnnxValueKind.Sequence);
                    break;
                case MapTypeField:
                    (kind, elementType, shape) = SkipKind(ref reader, wire, "map_type", OnnxValueKind.Map);
                    break;
                case SparseTensorTypeField:
                    (kind, elementType, shape) = SkipKind(ref reader, wire, "sparse_tensor_type", OnnxValueKind.SparseTensor);
                    break;
                case OptionalTypeField:
                    (kind, elementType, shape) = SkipKind(ref reader, wire, "optional_type", OnnxValueKind.Optional);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return (kind, elementType, shape);
    }

    private static (OnnxValueKind, OnnxDataType, OnnxDimension[]?) SkipKind(
        ref ProtoReader reader, WireType wire, string name, OnnxValueKind kind)
    {
        reader.Expect(wire, WireType.LengthDelimited, name);
        reader.Skip(wire);
        return (kind, OnnxDataType.Undefined, null);
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
                    reader.Skip(wire);
                    break;
            }
        }

        return (elementType, shape);
    }
}
