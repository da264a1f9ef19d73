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
    private const int GraphsField = 11;
    private const int TypeField = 20;

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
                    strings.Add(reader.ReadString(wire, "strings"));
                    break;
                case TypeField:
                    type = (OnnxAttributeType)reader.ReadInt32(wire, "type");
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new OnnxAttribute(name, type, f, i, s, [.. floats], [.. ints], [.. strings], tensor, hasGraph);
    }
}
