namespace L2LOnnx.Train.Problems;

/// <summary>
/// Shape of the paper's MNIST optimizee (section 3.2): a fully-connected network with
/// <see cref="HiddenSizes"/> hidden layers (one of 20 units in the paper), a softmax output and the
/// cross-entropy loss on minibatches of <see cref="BatchSize"/> images.
/// </summary>
public sealed record MlpConfig
{
    /// <summary>Units of each hidden layer, first layer first (the paper: one layer of 20).</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [20];

    /// <summary>Nonlinearity after every hidden layer (the paper: sigmoid).</summary>
    public Activation Activation { get; init; } = Activation.Sigmoid;

    /// <summary>Images per minibatch (the paper: 128).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>
    /// Standard deviation of the N(0, s^2) initialisation of every weight and bias. 0.01 works; a
    /// reference run found 1e-3 (variance 1e-6) leaves the sigmoid MLP stuck at loss log(10) = 2.30.
    /// </summary>
    public double InitStd { get; init; } = 0.01;

    /// <summary>Throws when the settings cannot describe a network.</summary>
    public void Validate()
    {
        if (HiddenSizes.Any(h => h < 1)) throw new ArgumentOutOfRangeException(nameof(HiddenSizes), "every hidden layer needs at least one unit");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be at least 1");
        if (!(InitStd > 0 && double.IsFinite(InitStd))) throw new ArgumentOutOfRangeException(nameof(InitStd), InitStd, "must be positive and finite");
    }

    /// <summary>Short description, e.g. <c>mlp-20-sigmoid</c>.</summary>
    public string Describe() =>
        $"mlp-{(HiddenSizes.Count == 0 ? "linear" : string.Join("x", HiddenSizes))}-{Activation.ToString().ToLowerInvariant()}";
}
