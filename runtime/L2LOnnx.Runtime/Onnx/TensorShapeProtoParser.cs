namespace L2LOnnx.Runtime.Onnx;

/// <summary>Decodes <c>TensorShapeProto</c> (dim = 1) and its <c>Dimension</c> (dim_value = 1, dim_param = 2, denotation = 3).</summary>
internal static class TensorShapeProtoParser
{
    private const int DimField = 1;
    private const int DimValueField = 1;
    private const int DimParamField = 2;
    private const int DenotationField = 3;

    /// <summary>Reads the shape; an empty result means a scalar (rank 0).</summary>
    public static OnnxDimension[] Parse(ProtoReader reader)
    {
        var dims = new List<OnnxDimension>();
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            if (field == DimField)
            {
                reader.RequireRoom(dims.Count, ReadLimits.MaxRank, "dims in a shape");
                dims.Add(ParseDimension(reader.ReadMessage(wire, "dim", $"{reader.Where}.dim[{dims.Count}]")));
            }
            else
            {
                reader.SkipUnknown(wire);
            }
        }

        return [.. dims];
    }

    private static OnnxDimension ParseDimension(ProtoReader reader)
    {
        OnnxDimension dimension = OnnxDimension.Unknown;
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            // dim_value and dim_param form a oneof, so the last one present wins.
            switch (field)
            {
                case DimValueField:
                    long value = reader.ReadInt64(wire, "dim_value");
                    if (value < 0)
                    {
                        // Not symbolic: ONNX has dim_param for that. A negative size is an error, whatever a tool meant by it.
                        throw reader.ErrorAtField($"dim_value is negative ({value}): a size must be 0 or more (name a symbolic dimension with dim_param)");
                    }

                    dimension = OnnxDimension.Fixed(value);
                    break;
                case DimParamField:
                    string param = reader.ReadString(wire, "dim_param");
                    dimension = param.Length > 0 ? OnnxDimension.Symbolic(param) : OnnxDimension.Unknown;
                    break;
                case DenotationField:
                    reader.ReadString(wire, "denotation");
                    break;
                default:
                    reader.SkipUnknown(wire);
                    break;
            }
        }

        return dimension;
    }
}
