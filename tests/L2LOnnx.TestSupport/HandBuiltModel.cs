using Google.Protobuf;
using Onnx;

namespace L2LOnnx.TestSupport;

/// <summary>
/// A tiny contract-v1 optimizer written by hand with the raw ONNX protobuf classes, not by our exporter:
/// <c>update = -0.1 * grad</c>, and one state <c>state_count</c> [N, 1] that counts steps. Switches
/// break it in the ways the runtime must refuse.
/// </summary>
public sealed record HandBuiltModel
{
    public string GradName { get; init; } = "grad";
    public bool StateHasOutput { get; init; } = true;
    public TensorProto.Types.DataType GradType { get; init; } = TensorProto.Types.DataType.Float;
    public bool WithFormatMetadata { get; init; } = true;
    public string FormatVersion { get; init; } = "1";

    public byte[] ToBytes()
    {
        var graph = new GraphProto { Name = "sgd_with_step_counter" };
        graph.Input.Add(Value(GradName, GradType, (long?)null));
        graph.Input.Add(Value("state_count", TensorProto.Types.DataType.Float, null, 1));
        graph.Output.Add(Value("update", TensorProto.Types.DataType.Float, (long?)null));
        if (StateHasOutput) graph.Output.Add(Value("state_count_out", TensorProto.Types.DataType.Float, null, 1));

        graph.Initializer.Add(Scalar("minus_lr", -0.1f));
        graph.Initializer.Add(Scalar("one", 1f));
        var gradAsFloat = GradName;
        if (GradType != TensorProto.Types.DataType.Float)
        {
            graph.Node.Add(Node("Cast", new[] { GradName }, "grad_float", new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float }));
            gradAsFloat = "grad_float";
        }
        graph.Node.Add(Node("Mul", new[] { gradAsFloat, "minus_lr" }, "update"));
        graph.Node.Add(Node("Add", new[] { "state_count", "one" }, StateHasOutput ? "state_count_out" : "unused_count"));
        if (!StateHasOutput) graph.Output.Add(Value("unused_count", TensorProto.Types.DataType.Float, null, 1));

        var model = new ModelProto { IrVersion = 8, ProducerName = "hand", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        if (WithFormatMetadata) model.MetadataProps.Add(new StringStringEntryProto { Key = "l2l.format", Value = FormatVersion });
        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        return node;
    }

    private static TensorProto Scalar(string name, float value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        return tensor;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim is { } d ? new TensorShapeProto.Types.Dimension { DimValue = d } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
