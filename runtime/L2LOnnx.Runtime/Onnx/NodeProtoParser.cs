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
    private const int OverloadField = 8;
    private const int MetadataPropsField = 9;
    private const int DeviceConfigurationsField = 10;

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
                    reader.RequireRoom(inputs.Count, ReadLimits.MaxNodeInputsOrOutputs, "inputs of a node");
                    inputs.Add(reader.ReadString(wire, "input"));
                    break;
                case OutputField:
                    reader.RequireRoom(outputs.Count, ReadLimits.MaxNodeInputsOrOutputs, "outputs of a node");
                    outputs.Add(reader.ReadString(wire, "output"));
                    break;
                case NameField:
                    name = reader.ReadString(wire, "name");
                    break;
                case OpTypeField:
                    opType = reader.ReadString(wire, "op_type");
                    break;
                case AttributeField:
                    reader.RequireRoom(attributes.Count, ReadLimits.MaxAttributes, "attributes of a node");
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
                case OverloadField:
                    reader.ReadString(wire, "overload");
                    break;
                case MetadataPropsField:
                    StringEntryParser.ReadAll(ref reader, wire, "metadata_props");
                    break;
                case DeviceConfigurationsField:
                    reader.Expect(wire, WireType.LengthDelimited, "device_configurations");
                    reader.Context.Undecoded($"{where}.device_configurations at byte {reader.FieldOffset}");
                    reader.Skip(wire);
                    break;
                default:
                    reader.SkipUnknown(wire);
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
