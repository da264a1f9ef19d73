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
    private const int QuantizationAnnotationField = 14;
    private const int SparseInitializerField = 15;
    private const int MetadataPropsField = 16;

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
        int sparseCount = 0;
        string where = reader.Where;

        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case NodeField:
                    reader.RequireRoom(nodes.Count, ReadLimits.MaxNodes, "nodes in a graph");
                    nodes.Add(NodeProtoParser.Parse(reader.ReadMessage(wire, "node", $"{where}.node[{nodes.Count}]")));
                    break;
                case NameField:
                    name = reader.ReadString(wire, "name");
                    break;
                case InitializerField:
                    reader.RequireRoom(initializers.Count, ReadLimits.MaxInitializers, "initializers in a graph");
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
                    reader.RequireRoom(inputs.Count, ReadLimits.MaxGraphInputsOrOutputs, "graph inputs");
                    inputs.Add(ValueInfoProtoParser.Parse(reader.ReadMessage(wire, "input", $"{where}.input[{inputs.Count}]")));
                    break;
                case OutputField:
                    reader.RequireRoom(outputs.Count, ReadLimits.MaxGraphInputsOrOutputs, "graph outputs");
                    outputs.Add(ValueInfoProtoParser.Parse(reader.ReadMessage(wire, "output", $"{where}.output[{outputs.Count}]")));
                    break;
                case ValueInfoField:
                    reader.RequireRoom(valueInfo.Count, ReadLimits.MaxValueInfos, "value_info entries in a graph");
                    valueInfo.Add(ValueInfoProtoParser.Parse(
                        reader.ReadMessage(wire, "value_info", $"{where}.value_info[{valueInfo.Count}]")));
                    break;
                case SparseInitializerField:
                    // Decoded only to find external data in it; the model does not expose sparse tensors.
                    reader.RequireRoom(sparseCount, ReadLimits.MaxInitializers, "sparse initializers in a graph");
                    SparseTensorProtoParser.Parse(reader.ReadMessage(wire, "sparse_initializer", $"{where}.sparse_initializer[{sparseCount}]"));
                    sparseCount++;
                    hasSparseInitializers = true;
                    break;
                case QuantizationAnnotationField:
                    reader.Expect(wire, WireType.LengthDelimited, "quantization_annotation");
                    reader.Context.Undecoded($"{where}.quantization_annotation at byte {reader.FieldOffset}");
                    reader.Skip(wire);
                    break;
                case MetadataPropsField:
                    StringEntryParser.ReadAll(ref reader, wire, "metadata_props");
                    break;
                default:
                    reader.SkipUnknown(wire);
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
