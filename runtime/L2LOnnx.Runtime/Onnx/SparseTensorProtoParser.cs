namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// Decodes <c>SparseTensorProto</c> (values = 1, indices = 2, dims = 3) far enough to find external data
/// in its tensors and to check it is well-formed; the model does not expose sparse tensors, and the
/// context records where the first one is so a validator can refuse them.
/// </summary>
internal static class SparseTensorProtoParser
{
    private const int ValuesField = 1;
    private const int IndicesField = 2;
    private const int DimsField = 3;

    public static void Parse(ProtoReader reader)
    {
        reader.Context.Sparse(reader.Where);
        bool sawValues = false;
        bool sawIndices = false;
        var dims = new List<long>();
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            switch (field)
            {
                case ValuesField:
                    Once(ref reader, ref sawValues, "values");
                    TensorProtoParser.Parse(reader.ReadMessage(wire, "values", $"{reader.Where}.values"));
                    break;
                case IndicesField:
                    Once(ref reader, ref sawIndices, "indices");
                    TensorProtoParser.Parse(reader.ReadMessage(wire, "indices", $"{reader.Where}.indices"));
                    break;
                case DimsField:
                    reader.ReadInt64s(wire, "dims", dims);
                    if (dims.Count > ReadLimits.MaxRank)
                    {
                        throw reader.ErrorAtField($"more than {ReadLimits.MaxRank} dims");
                    }

                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }
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
