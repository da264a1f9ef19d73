namespace L2LOnnx.Runtime.Onnx;

/// <summary>Decodes <c>GraphProto</c>; field numbers from onnx.proto.</summary>
internal static class GraphProtoParser
{
    private const int NodeField = 1;
    private const int NameField = 2;
    private const int InitializerField = 5;
    private const int DocStringField = 10;
    private const int InputField = 11;
    private const int OutputField = 12;
    private const int ValueInfoField = 13;
    private const int SparseInitializerField = 15;

    public static OnnxGraph Parse(ProtoReader reader)
    {
        string name = string.Empty;
        string docString = string.Empty;
        var nodes = new List<OnnxNode>();
        var initializers = new List<OnnxTensor>();
        var initializersByName = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<OnnxValueInfo>();
        var outputs = new List<OnnxValueInfo>();
        var valueInfo = new List<OnnxValueInfo>();
        bool hasSparseInitializers = false;
        string where = reader.Where;

        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case NodeField:
                    nodes.Add(NodeProtoParser.Parse(reader.ReadMessage(wire, "node", $"{where}.node[{nodes.Count}]")));
                    break;
                case NameField:
                    name = reader.ReadString(wire, "name");
                    break;
                case InitializerField:
                    OnnxTensor tensor = TensorProtoParser.Parse(
                        reader.ReadMessage(wire, "initializer", $"{where}.initializer[{initializers.Count}]"));
                    if (!initializersByName.TryAdd(tensor.Name, tensor))
                    {
                        // ONNX graphs are in SSA form; the checker rejects reused initializer names.
                        throw reader.ErrorAtField($"initializer name '{tensor.Name}' is used more than once");
                    }

                    initializers.Add(tensor);
                    break;
                case DocStringField:
                    docString = reader.ReadString(wire, "doc_string");
                    break;
                case InputField:
                    inputs.Add(ValueInfoProtoParser.Parse(reader.ReadMessage(wire, "input", $"{where}.input[{inputs.Count}]")));
                    break;
                case OutputField:
                    outputs.Add(ValueInfoProtoParser.Parse(reader.ReadMessage(wire, "output", $"{where}.output[{outputs.Count}]")));
                    break;
                case ValueInfoField:
                    valueInfo.Add(ValueInfoProtoParser.Parse(
                        reader.ReadMessage(wire, "value_info", $"{where}.value_info[{valueInfo.Count}]")));
                    break;
                case SparseInitializerField:
                    // Detected only: the runtime refuses sparse initializers rather than decoding them.
                    reader.Expect(wire, WireType.LengthDelimited, "sparse_initializer");
                    reader.Skip(wire);
                    hasSparseInitializers = true;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new OnnxGraph(
            name,
            docString,
            [.. nodes],
            [.. initializers],
            initializersByName,
            [.. inputs],
            [.. outputs],
            [.. valueInfo],
            hasSparseInitializers);
    }
}
