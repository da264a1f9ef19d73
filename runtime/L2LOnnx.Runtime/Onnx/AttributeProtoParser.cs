namespace L2LOnnx.Runtime.Onnx;

/// <summary>Decodes <c>AttributeProto</c>; field numbers from onnx.proto.</summary>
internal static class AttributeProtoParser
{
    private const int NameField = 1;
    private const int FloatField = 2;
    private const int IntField = 3;
    private const int StringField = 4;
    private const int TensorField = 5;
    private const int GraphField = 6;
    private const int FloatsField = 7;
    private const int IntsField = 8;
    private const int StringsField = 9;
    private const int TensorsField = 10;
    private const int GraphsField = 11;
    private const int DocStringField = 13;
    private const int TypeProtoField = 14;
    private const int TypeProtosField = 15;
    private const int TypeField = 20;
    private const int RefAttrNameField = 21;
    private const int SparseTensorField = 22;
    private const int SparseTensorsField = 23;

    public static OnnxAttribute Parse(ProtoReader reader)
    {
        string name = string.Empty;
        var type = OnnxAttributeType.Undefined;
        float f = 0;
        long i = 0;
        string s = string.Empty;
        var floats = new List<float>();
        var ints = new List<long>();
        var strings = new List<string>();
        OnnxTensor? tensor = null;
        bool hasGraph = false;
        bool sawGraph = false;
        bool sawTypeProto = false;
        bool sawSparseTensor = false;
        int tensors = 0;
        int sparseTensors = 0;
        int typeProtos = 0;

        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case NameField:
                    name = reader.ReadString(wire, "name");
                    break;
                case FloatField:
                    f = reader.ReadFloat(wire, "f");
                    break;
                case IntField:
                    i = reader.ReadInt64(wire, "i");
                    break;
                case StringField:
                    s = reader.ReadString(wire, "s");
                    break;
                case TensorField:
                    if (tensor is not null)
                    {
                        throw reader.ErrorAtField("tensor value t appears more than once");
                    }

                    tensor = TensorProtoParser.Parse(reader.ReadMessage(wire, "t", $"{reader.Where}.t"));
                    break;
                case GraphField:
                    Once(ref reader, ref sawGraph, "subgraph g");
                    goto case GraphsField;
                case GraphsField:
                    // Subgraphs (If/Loop/Scan bodies) are only detected; the optimizer contract does not allow them.
                    reader.Expect(wire, WireType.LengthDelimited, field == GraphField ? "g" : "graphs");
                    reader.Skip(wire);
                    hasGraph = true;
                    break;
                case FloatsField:
                    reader.ReadFloats(wire, "floats", floats);
                    break;
                case IntsField:
                    reader.ReadInt64s(wire, "ints", ints);
                    break;
                case StringsField:
                    reader.RequireRoom(strings.Count, ReadLimits.MaxListEntries, "strings in an attribute");
                    strings.Add(reader.ReadString(wire, "strings"));
                    break;
                case TensorsField:
                    // Decoded for their checks (external data, sizes); no default-domain operator reads them.
                    reader.RequireRoom(tensors, ReadLimits.MaxListEntries, "tensors in an attribute");
                    TensorProtoParser.Parse(reader.ReadMessage(wire, "tensors", $"{reader.Where}.tensors[{tensors}]"));
                    tensors++;
                    break;
                case SparseTensorField:
                    Once(ref reader, ref sawSparseTensor, "sparse_tensor");
                    SparseTensorProtoParser.Parse(reader.ReadMessage(wire, "sparse_tensor", $"{reader.Where}.sparse_tensor"));
                    break;
                case SparseTensorsField:
                    reader.RequireRoom(sparseTensors, ReadLimits.MaxListEntries, "sparse tensors in an attribute");
                    SparseTensorProtoParser.Parse(reader.ReadMessage(wire, "sparse_tensors", $"{reader.Where}.sparse_tensors[{sparseTensors}]"));
                    sparseTensors++;
                    break;
                case TypeProtoField:
                    Once(ref reader, ref sawTypeProto, "tp");
                    ValueInfoProtoParser.ParseType(reader.ReadMessage(wire, "tp", $"{reader.Where}.tp"));
                    break;
                case TypeProtosField:
                    reader.RequireRoom(typeProtos, ReadLimits.MaxListEntries, "type protos in an attribute");
                    ValueInfoProtoParser.ParseType(reader.ReadMessage(wire, "type_protos", $"{reader.Where}.type_protos[{typeProtos}]"));
                    typeProtos++;
                    break;
                case TypeField:
                    type = (OnnxAttributeType)reader.ReadInt32(wire, "type");
                    break;
                case RefAttrNameField:
                    reader.ReadString(wire, "ref_attr_name");
                    break;
                case DocStringField:
                    reader.ReadString(wire, "doc_string");
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }

        return new OnnxAttribute(name, type, f, i, s, [.. floats], [.. ints], [.. strings], tensor, hasGraph);
    }

    private static void Once(ref ProtoReader reader, ref bool seen, string name)
    {
        if (seen)
        {
            // Protobuf would merge the two messages; refusing keeps this reader and ONNX Runtime in agreement.
            throw reader.ErrorAtField($"{name} appears more than once");
        }

        seen = true;
    }
}
