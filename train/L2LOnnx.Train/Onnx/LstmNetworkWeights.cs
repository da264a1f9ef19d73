using L2LOnnx.Train.Optimizers;

namespace L2LOnnx.Train.Onnx;

/// <summary>One LSTM layer's weights as an ONNX <c>LSTM</c> node holds them: gates in ONNX order (i, o, f, c).</summary>
/// <param name="NodeName">The node's name in the file, for messages.</param>
/// <param name="W">Input weights [4H, in], row-major.</param>
/// <param name="R">Recurrent weights [4H, H], row-major.</param>
/// <param name="B">Biases [8H]: the input biases, then the recurrent ones.</param>
internal sealed record LstmLayerWeights(string NodeName, float[] W, float[] R, float[] B);

/// <summary>Everything an ONNX file of the LSTM family says about its network.</summary>
/// <param name="Config">The network's shape, from the graph and the metadata.</param>
/// <param name="Layers">The LSTM layers, first layer first.</param>
/// <param name="OutputWeight">The output layer's H weights.</param>
/// <param name="OutputBias">The output layer's bias.</param>
internal sealed record LstmNetworkWeights(LstmOptimizerConfig Config, IReadOnlyList<LstmLayerWeights> Layers, float[] OutputWeight, float OutputBias);
