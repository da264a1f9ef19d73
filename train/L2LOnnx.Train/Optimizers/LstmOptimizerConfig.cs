namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// Shape of a coordinatewise LSTM optimizer (Andrychowicz et al. 2016, section 2.1): a stack of LSTM
/// layers shared by every coordinate, then a linear layer to one update per coordinate.
/// </summary>
/// <param name="Layers">Number of stacked LSTM layers (the paper uses 2).</param>
/// <param name="HiddenSize">Hidden units per layer (the paper uses 20).</param>
/// <param name="PreprocessingP">
/// The <c>p</c> of the paper's log/sign gradient preprocessing (appendix A, the paper uses 10), or
/// <c>null</c> to feed the raw gradient.
/// </param>
/// <param name="OutputScale">Constant multiplier on the linear output (0.1 for MNIST in the paper).</param>
public sealed record LstmOptimizerConfig(
    int Layers = 2,
    int HiddenSize = 20,
    double? PreprocessingP = 10.0,
    double OutputScale = 0.1)
{
    /// <summary>Number of features the first LSTM layer sees per coordinate.</summary>
    public int InputSize => PreprocessingP is null ? 1 : 2;

    /// <summary>Throws when the configuration cannot describe a network.</summary>
    public void Validate()
    {
        if (Layers < 1) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "needs at least one LSTM layer");
        if (HiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, "needs at least one hidden unit");
        if (PreprocessingP is { } p && !(p > 0 && double.IsFinite(p)))
            throw new ArgumentOutOfRangeException(nameof(PreprocessingP), p, "p must be a positive finite number");
        if (!double.IsFinite(OutputScale) || OutputScale == 0)
            throw new ArgumentOutOfRangeException(nameof(OutputScale), OutputScale, "the output multiplier must be finite and non-zero");
    }

    /// <summary>A one-line description, used in logs and ONNX metadata.</summary>
    public string Describe() =>
        $"coordinatewise LSTM {Layers}x{HiddenSize}, preprocessing {(PreprocessingP is { } p ? $"log/sign p={p}" : "none")}, output x{OutputScale}";
}
