using L2LOnnx.Runtime;

namespace L2LOnnx.MLNet;

/// <summary>
/// The fitted model's weights and its scoring function as ONNX bytes (the same graph ML.NET runs inside
/// the transformer; save it to score with any ONNX runtime).
/// </summary>
public sealed class LearnedModelParameters
{
    private readonly byte[] scoringModel;

    internal LearnedModelParameters(Network network, float[] theta, byte[] scoringModel)
    {
        InputSize = network.Inputs;
        HiddenLayerSize = network.Hidden;
        OutputSize = network.Outputs;
        Activation = network.Activation;
        HiddenWeights = theta[network.HiddenWeights];
        HiddenBiases = theta[network.HiddenBiases];
        OutputWeights = theta[network.OutputWeights];
        OutputBiases = theta[network.OutputBiases];
        this.scoringModel = scoringModel;
    }

    /// <summary>Features per row (D).</summary>
    public int InputSize { get; }

    /// <summary>Hidden units (H); 0 for a linear model.</summary>
    public int HiddenLayerSize { get; }

    /// <summary>Logits per row (K): 1 for binary and regression, the class count for multiclass.</summary>
    public int OutputSize { get; }

    /// <summary>The hidden layer's nonlinearity (unused when <see cref="HiddenLayerSize"/> is 0).</summary>
    public HiddenActivation Activation { get; }

    /// <summary>Hidden weights, H×D row-major (row j = unit j); empty for a linear model.</summary>
    public IReadOnlyList<float> HiddenWeights { get; }

    /// <summary>Hidden biases (H); empty for a linear model.</summary>
    public IReadOnlyList<float> HiddenBiases { get; }

    /// <summary>Output weights, K×(H or D) row-major (row k = logit k). For regression they predict in the label's units.</summary>
    public IReadOnlyList<float> OutputWeights { get; }

    /// <summary>Output biases (K).</summary>
    public IReadOnlyList<float> OutputBiases { get; }

    /// <summary>The scoring graph (ONNX, opset 17): input = the feature column, outputs = the score columns.</summary>
    public ReadOnlyMemory<byte> ScoringModel => scoringModel;

    /// <summary>Writes <see cref="ScoringModel"/> to <paramref name="path"/> atomically.</summary>
    public void SaveScoringModel(string path) => AtomicFile.WriteAllBytes(path, scoringModel);
}
