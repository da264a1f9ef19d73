using System.Globalization;
using L2LOnnx.Runtime.Onnx.Writing;
using Onnx;

namespace L2LOnnx.MLNet;

/// <summary>
/// Writes the fitted model's scoring function as an ONNX graph: input = the feature column [D]; the
/// logits [K] = (hidden layer →) output layer; then the task's outputs. ML.NET's ONNX transformer runs it
/// row by row, and keeps the bytes inside saved models.
/// </summary>
internal static class ScoringGraph
{
    public const string Producer = "L2LOnnx.MLNet";

    public static byte[] Write(Network network, ReadOnlySpan<float> theta, PredictionTask task, string featureColumn, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new OnnxGraphWriter("l2l_mlnet_scorer",
            $"{task.Name} scorer trained with a learned optimizer: {network.Inputs} features -> " +
            (network.Hidden > 0 ? $"{network.Hidden} {network.Activation} units -> " : "") + $"{network.Outputs} logits");
        graph.Input(featureColumn, TensorProto.Types.DataType.Float, network.Inputs);

        var x = featureColumn;
        if (network.Hidden > 0)
        {
            var w1 = graph.Initializer(ColumnNames.InternalPrefix + "hidden_W", Transpose(theta[network.HiddenWeights], network.Hidden, network.Inputs), network.Inputs, network.Hidden);
            var b1 = graph.Initializer(ColumnNames.InternalPrefix + "hidden_B", theta[network.HiddenBiases], network.Hidden);
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

        var properties = new Dictionary<string, string>(metadata)
        {
            ["l2l.mlnet.task"] = task.Name,
            ["l2l.mlnet.features"] = network.Inputs.ToString(CultureInfo.InvariantCulture),
            ["l2l.mlnet.hidden"] = network.Hidden.ToString(CultureInfo.InvariantCulture),
            ["l2l.mlnet.outputs"] = network.Outputs.ToString(CultureInfo.InvariantCulture),
        };
        return graph.ToBytes(Producer, properties);
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
