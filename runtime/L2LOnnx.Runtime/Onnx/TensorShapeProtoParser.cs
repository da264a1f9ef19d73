namespace L2LOnnx.Runtime.Onnx;

/// <summary>Decodes <c>TensorShapeProto</c> (dim = 1) and its <c>Dimension</c> (dim_value = 1, dim_param = 2).</summary>
internal static class TensorShapeProtoParser
{
    private const int DimField = 1;
    private const int DimValueField = 1;
    private const int DimParamField = 2;

    /// <summary>Reads the shape; an empty result means a scalar (rank 0).</summary>
    public static OnnxDimension[] Parse(ProtoReader reader)
    {
        var dims = new List<OnnxDimension>();
        while (reader.TryReadTag(out int field, out WireType wire))
        {
            if (field == DimField)
            {
                dims.Add(ParseDimension(reader.ReadMessage(wire, "dim", $"{reader.Where}.dim[{dims.Count}]")));
            }
            else
            {
                reader.Skip(wire);
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

                    // Some exporters write -1 for "any size"; treat it as unknown rather than reject the file.
                    dimension = value >= 0 ? OnnxDimension.Fixed(value) : OnnxDimension.Unknown;
                    break;
                case DimParamField:
                    string param = reader.ReadString(wire, "dim_param");
                    dimension = param.Length > 0 ? OnnxDimension.Symbolic(param) : OnnxDimension.Unknown;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return dimension;
    }
}
