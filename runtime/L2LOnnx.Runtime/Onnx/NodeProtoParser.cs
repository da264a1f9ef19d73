using System.Collections.ObjectModel;

namespace L2LOnnx.Runtime.Onnx;

/// <summary>Decodes <c>NodeProto</c>; field numbers from onnx.proto.</summary>
internal static class NodeProtoParser
{
    private const int InputField = 1;
    private const int OutputField = 2;
    private const int NameField = 3;
    private const int OpTypeField = 4;
    private const int AttributeField = 5;
    private const int DocStringField = 6;
    private const int DomainField = 7;

    public static OnnxNode Parse(ProtoReader reader)
    {
        string name = string.Empty;
        string opType = string.Empty;
        string domain = string.Empty;
        string docString = string.Empty;
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        string where = reader.Where;

        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case InputField:
                    inputs.Add(reader.ReadString(wire, "input"));
                    break;
                case OutputField:
                    outputs.Add(reader.ReadString(wire, "output"));
                    break;
                case NameField:
                    name = reader.ReadString(wire, "name");
                    break;
                case OpTypeField:
                    opType = reader.ReadString(wire, "op_type");
                    break;
                case AttributeField:
                    OnnxAttribute attribute = AttributeProtoParser.Parse(
                        reader.ReadMessage(wire, "attribute", $"{where}.attribute[{attributes.Count}]"));
                    if (!attributes.TryAdd(attribute.Name, attribute))
                    {
                        // The checker rejects repeated attribute names; silently picking one could change semantics.
                        throw reader.ErrorAtField($"attribute '{attribute.Name}' appears more than once");
                    }

                    break;
                case DocStringField:
                    docString = reader.ReadString(wire, "doc_string");
                    break;
                case DomainField:
                    domain = reader.ReadString(wire, "domain");
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new OnnxNode(
            name,
            opType,
            domain,
            docString,
            [.. inputs],
            [.. outputs],
            new ReadOnlyDictionary<string, OnnxAttribute>(attributes));
    }
}
