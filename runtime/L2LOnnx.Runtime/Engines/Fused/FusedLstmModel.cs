namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// A coordinatewise LSTM optimizer as the fused engine runs it: the paper's preprocessing (or none),
/// a stack of LSTM layers, a linear output and an output scale, with weights copied out of the ONNX
/// initializers by <see cref="LstmGraphRecognizer"/>.
/// </summary>
internal sealed class FusedLstmModel
{
    public FusedLstmModel(LogSignPreprocessing? preprocessing, IReadOnlyList<FusedLstmLayer> layers, float[] outputWeight, float outputBias, float outputScale)
    {
        Preprocessing = preprocessing;
        Layers = layers;
        OutputWeight = outputWeight;
        OutputBias = outputBias;
        OutputScale = outputScale;
    }

    /// <summary>The paper's log/sign preprocessing, or <c>null</c> when the raw gradient is the only feature.</summary>
    public LogSignPreprocessing? Preprocessing { get; }

    /// <summary>Features per coordinate fed to the first layer: 2 with preprocessing, 1 without.</summary>
    public int InputSize => Preprocessing is null ? 1 : 2;

    /// <summary>The LSTM layers, first layer first.</summary>
    public IReadOnlyList<FusedLstmLayer> Layers { get; }

    /// <summary>The output layer's weights, one per hidden unit of the last layer.</summary>
    public float[] OutputWeight { get; }

    public float OutputBias { get; }

    public float OutputScale { get; }

    /// <summary>E.g. <c>LSTM 2x20, log/sign preprocessing (threshold 4.54e-05), output x0.1</c>.</summary>
    public string Describe()
    {
        var sizes = Layers.Select(l => l.HiddenSize).Distinct().Count() == 1
            ? $"{Layers.Count}x{Layers[0].HiddenSize}"
            : string.Join("-", Layers.Select(l => l.HiddenSize));
        var pre = Preprocessing is { } p ? $"log/sign preprocessing (threshold {p.Threshold:G3})" : "no preprocessing";
        return $"LSTM {sizes}, {pre}, output x{OutputScale:G6}";
    }
}

/// <summary>
/// The preprocessing <c>(log|g| / p, sign g)</c> when <c>|g| &gt;= threshold</c>, else <c>(minusOne, smallScale * g)</c>,
/// with the float32 constants exactly as stored in the file.
/// </summary>
internal sealed record LogSignPreprocessing(float Threshold, float P, float MinusOne, float SmallScale);

/// <summary>
/// One ONNX <c>LSTM</c> layer (forward, default activations, no peepholes) with its weights packed for
/// the kernel, and the indices of its h and c states in the contract.
/// </summary>
internal sealed class FusedLstmLayer
{
    /// <summary>Gate rows computed together by the kernel's register tile.</summary>
    public const int RowTile = 8;

    /// <param name="inputSize">Features in per coordinate.</param>
    /// <param name="hiddenSize">H.</param>
    /// <param name="w">ONNX <c>W</c> [4H, in], gates i, o, f, c.</param>
    /// <param name="r">ONNX <c>R</c> [4H, H].</param>
    /// <param name="b">ONNX <c>B</c> [8H] = [Wb; Rb], or <c>null</c> for zeros.</param>
    /// <param name="hState">Index of the layer's h state in the contract.</param>
    /// <param name="cState">Index of the layer's c state in the contract.</param>
    public FusedLstmLayer(int inputSize, int hiddenSize, float[] w, float[] r, float[]? b, int hState, int cState)
    {
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        HState = hState;
        CState = cState;
        var gates = 4 * hiddenSize;
        PaddedRows = (gates + RowTile - 1) / RowTile * RowTile;
        var k = inputSize + hiddenSize;

        // Packed as [row tile][k][RowTile] so that the tile's weights for one input column sit together,
        // and [row] for the bias; padding rows have zero weights and are never read back.
        PackedWeights = new float[PaddedRows * k];
        Bias = new float[PaddedRows];
        for (var row = 0; row < gates; row++)
        {
            var tile = row / RowTile;
            var lane = row % RowTile;
            for (var column = 0; column < k; column++)
            {
                var value = column < inputSize ? w[row * inputSize + column] : r[row * hiddenSize + column - inputSize];
                PackedWeights[(tile * k + column) * RowTile + lane] = value;
            }
            Bias[row] = b is null ? 0f : b[row] + b[gates + row];
        }
    }

    public int InputSize { get; }

    public int HiddenSize { get; }

    public int HState { get; }

    public int CState { get; }

    /// <summary>4H rounded up to a multiple of <see cref="RowTile"/>.</summary>
    public int PaddedRows { get; }

    public float[] PackedWeights { get; }

    public float[] Bias { get; }
}
