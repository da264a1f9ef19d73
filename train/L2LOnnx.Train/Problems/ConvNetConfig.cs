namespace L2LOnnx.Train.Problems;

/// <summary>
/// Shape of the paper's CIFAR-10 optimizee (section 3.3): three convolutional layers, each followed by
/// batch normalisation, ReLU and 2x2 max-pooling, then a fully-connected hidden layer with ReLU and a
/// linear softmax output, trained with cross-entropy on minibatches.
/// </summary>
public sealed record ConvNetConfig
{
    /// <summary>Output channels of each convolutional layer (the paper gives no sizes; 16 each is small and fast).</summary>
    public IReadOnlyList<int> Channels { get; init; } = [16, 16, 16];

    /// <summary>Side of the square convolution kernels (padding keeps the image size before pooling).</summary>
    public int KernelSize { get; init; } = 3;

    /// <summary>Units of the fully-connected hidden layer (the paper: 32).</summary>
    public int HiddenUnits { get; init; } = 32;

    /// <summary>Images per minibatch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Throws when the settings cannot describe a network.</summary>
    public void Validate()
    {
        if (Channels.Count < 1 || Channels.Any(c => c < 1)) throw new ArgumentOutOfRangeException(nameof(Channels), "needs at least one convolutional layer, each with at least one channel");
        if (KernelSize < 1 || KernelSize % 2 == 0) throw new ArgumentOutOfRangeException(nameof(KernelSize), KernelSize, "must be odd and positive");
        if (HiddenUnits < 1) throw new ArgumentOutOfRangeException(nameof(HiddenUnits), HiddenUnits, "must be at least 1");
        if (BatchSize < 2) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "batch normalisation needs at least 2 images per minibatch");
    }

    /// <summary>Short description, e.g. <c>convnet-16x16x16-fc32</c>.</summary>
    public string Describe() => $"convnet-{string.Join("x", Channels)}-fc{HiddenUnits}";
}
