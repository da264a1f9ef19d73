using Google.Protobuf;
using Onnx;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>
/// Contract-v1 models (the hand-built <c>update = c * grad</c> with a step counter) whose constant
/// <c>c</c> comes from a Constant node carrying the attribute given here as raw bytes, so that fields
/// the protobuf classes do not know (sparse_value = 22, sparse_tensors = 23) can be written.
/// </summary>
internal static class HostileModels
{
    /// <summary>The hand-built model, parsed for editing.</summary>
    public static ModelProto Base() => ModelProto.Parser.ParseFrom(new HandBuiltModel().ToBytes());

    /// <summary>The hand-built model with <c>minus_lr</c> made by a Constant node with <paramref name="attribute"/> (AttributeProto bytes).</summary>
    public static byte[] WithConstant(byte[] attribute)
    {
        var model = Base();
        model.Graph.Initializer.Remove(model.Graph.Initializer.Single(t => t.Name == "minus_lr"));
        var node = new NodeProto { OpType = "Constant", Name = "minus_lr" };
        node.Output.Add("minus_lr");
        node.Attribute.Add(AttributeProto.Parser.ParseFrom(attribute));
        model.Graph.Node.Insert(0, node);
        return model.ToByteArray();
    }

    /// <summary>A <c>sparse_value</c> attribute of one float whose values (or indices) live in <paramref name="location"/>.</summary>
    public static byte[] SparseValue(string location, bool externalIndices = false, int field = 22)
    {
        var values = externalIndices
            ? Wire.Join(Wire.TensorHeader("v", 1, 1), Wire.Field(9, BitConverter.GetBytes(-0.1f)))
            : Wire.ExternalTensor("v", location, 1, 1);
        var indices = externalIndices
            ? Wire.ExternalTensor("i", location, 7, 1)
            : Wire.Join(Wire.TensorHeader("i", 7, 1), Wire.Field(9, new byte[8]));
        var sparse = Wire.Join(Wire.Field(1, values), Wire.Field(2, indices), Wire.Number(3, 1));
        return Wire.Join(
            Wire.Field(1, field == 22 ? "sparse_value" : "sparse_values"),
            Wire.Number(20, field == 22 ? 11 : 12),
            Wire.Field(field, sparse));
    }

    /// <summary>A <c>value</c> attribute whose tensor lives in <paramref name="location"/>.</summary>
    public static byte[] ExternalValue(string location, int field = 5) => Wire.Join(
        Wire.Field(1, "value"),
        Wire.Number(20, field == 5 ? 4 : 9),
        Wire.Field(field, Wire.ExternalTensor("c", location, 1, 1)));

    /// <summary>A float tensor's data given as bytes.</summary>
    public static ByteString Floats(params float[] values) => ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray());
}
