using System.Globalization;
using Google.Protobuf;
using L2LOnnx.Runtime.Onnx.Writing;
using Onnx;

namespace L2LOnnx.MLNet;

/// <summary>
/// Writes the fitted model's scoring function as an ONNX graph: input = the feature column [D]; the
/// logits [K] = (hidden layer →) output layer; then the task's outputs. ML.NET's ONNX transformer runs it
/// row by row, and keeps the bytes inside saved models.
/// </summary>
/// <remarks>
/// Two more outputs carry the model itself, θ and the <see cref="ModelRecord"/>, so that a loaded model can
/// be turned back into a <see cref="LearnedOptimizerTransformer"/>: ML.NET 5 gives a third-party component no
/// public way to write its own state into a saved model, but it does store this graph and lets anyone run
/// it. Neither output depends on the features, and ML.NET's ONNX transformer computes only the outputs that
/// are read, so scoring never pays for them.
/// </remarks>
internal static class ScoringGraph
{
    public const string Producer = "L2LOnnx.MLNet";

    /// <summary>The shape [1, -1] that turns a tensor into one row.</summary>
    private const string RowShape = ColumnNames.InternalPrefix + "row_shape";

    /// <summary>The outputs that carry the model rather than a prediction.</summary>
    public static readonly string[] StateOutputs = [ColumnNames.Parameters, ColumnNames.Record];

    public static byte[] Write(Network network, ReadOnlySpan<float> theta, PredictionTask task, string featureColumn, IReadOnlyDictionary<string, string> metadata, string record)
    {
        var graph = new OnnxGraphWriter("l2l_mlnet_scorer",
            $"{task.Name} scorer trained with a learned optimizer: {network.Inputs} features -> " +
            (network.Hidden > 0 ? $"{network.Hidden} {network.Activation} units -> " : "") + $"{network.Outputs} logits");
        graph.Input(featureColumn, TensorProto.Types.DataType.Float, network.Inputs);

        var x = featureColumn;
        graph.Int64Initializer(RowShape, 1, -1);
        var state = new List<string>();
        if (network.Hidden > 0)
        {
            var w1 = graph.Initializer(ColumnNames.InternalPrefix + "hidden_W", Transpose(theta[network.HiddenWeights], network.Hidden, network.Inputs), network.Inputs, network.Hidden);
            var b1 = graph.Initializer(ColumnNames.InternalPrefix + "hidden_B", theta[network.HiddenBiases], network.Hidden);
            state.Add(Flat(graph, w1, transpose: true));
            state.Add(Flat(graph, b1, transpose: false));
            var pre = graph.Node("Add", ColumnNames.InternalPrefix + "hidden_pre", [graph.Node("MatMul", ColumnNames.InternalPrefix + "hidden_matmul", [x, w1]), b1]);
            x = graph.Node(network.Activation switch
            {
                HiddenActivation.Relu => "Relu",
                HiddenActivation.Tanh => "Tanh",
                _ => "Sigmoid",
            }, ColumnNames.InternalPrefix + "hidden", [pre]);
        }
        var w = graph.Initializer(ColumnNames.InternalPrefix + "output_W", Transpose(theta[network.OutputWeights], network.Outputs, network.OutputLayerInputs), network.OutputLayerInputs, network.Outputs);
        var b = graph.Initializer(ColumnNames.InternalPrefix + "output_B", theta[network.OutputBiases], network.Outputs);
        var logits = graph.Node("Add", ColumnNames.InternalPrefix + "logits", [graph.Node("MatMul", ColumnNames.InternalPrefix + "output_matmul", [x, w]), b]);
        task.AddOutputs(graph, logits, network.Outputs);

        state.Add(Flat(graph, w, transpose: true));
        state.Add(Flat(graph, b, transpose: false));
        graph.Node("Concat", ColumnNames.Parameters, [.. state], OnnxGraphWriter.Int("axis", 1));
        graph.Output(ColumnNames.Parameters, TensorProto.Types.DataType.Float, 1, network.ParameterCount);
        graph.Node("Identity", ColumnNames.Record, [StringInitializer(graph, ColumnNames.InternalPrefix + "record_json", record)]);
        graph.Output(ColumnNames.Record, TensorProto.Types.DataType.String, 1);

        var properties = new Dictionary<string, string>(metadata)
        {
            ["l2l.mlnet.task"] = task.Name,
            ["l2l.mlnet.features"] = network.Inputs.ToString(CultureInfo.InvariantCulture),
            ["l2l.mlnet.hidden"] = network.Hidden.ToString(CultureInfo.InvariantCulture),
            ["l2l.mlnet.outputs"] = network.Outputs.ToString(CultureInfo.InvariantCulture),
        };
        return graph.ToBytes(Producer, properties);
    }

    /// <summary>
    /// An initializer as a [1, n] row in θ's layout: the weight matrices are stored [in × out], so they are
    /// transposed back to one row per unit first.
    /// </summary>
    private static string Flat(OnnxGraphWriter graph, string initializer, bool transpose)
    {
        var source = transpose ? graph.Node("Transpose", initializer + "_T", [initializer]) : initializer;
        return graph.Node("Reshape", initializer + "_flat", [source, RowShape]);
    }

    /// <summary>A one-element string initializer (UTF-8); the shared writer has no shorthand for strings.</summary>
    private static string StringInitializer(OnnxGraphWriter graph, string value, string text)
    {
        var tensor = new TensorProto { Name = value, DataType = (int)TensorProto.Types.DataType.String };
        tensor.Dims.Add(1);
        tensor.StringData.Add(ByteString.CopyFromUtf8(text));
        graph.Graph.Initializer.Add(tensor);
        return value;
    }

    /// <summary>Our weights are [out × in] (one row per unit); ONNX MatMul of a row vector wants [in × out].</summary>
    private static float[] Transpose(ReadOnlySpan<float> w, int rows, int cols)
    {
        var t = new float[w.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                t[c * rows + r] = w[r * cols + c];
        return t;
    }
}
