using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// The paper's CIFAR-10 problems (section 3.3): train a small convnet (conv, batch norm, ReLU, max-pool,
/// once per layer of <see cref="ConvNetConfig.Channels"/>; then a fully-connected ReLU layer and the
/// softmax output) on minibatches of images of any channel count and size (CIFAR-10's 32x32x3, or the
/// held-out <see cref="ProblemKind.FashionMnistConvNet"/> on Fashion-MNIST pooled to 14x14x1). Its parameters form two groups, <c>conv</c> (convolution kernels and batch-norm scales and
/// shifts) and <c>fc</c> (fully-connected weights and biases), so that each can get its own optimizer
/// network as in the paper.
/// </summary>
/// <remarks>
/// Batched: the convnets of all problems in a batch run as one grouped convolution (problem p's
/// channels are group p), and the fully-connected layers as batched matrix products. Batch
/// normalisation uses the statistics of the current minibatch, per problem and channel, and has no
/// running averages (every loss is a training loss). Convolutions have no bias: batch norm's shift
/// replaces it. Initialisation: kernels and weights N(0, 2 / fan-in) (He), batch-norm scale 1,
/// shift 0, biases 0.
/// </remarks>
public sealed class ConvNetFamily : IFixedDataFamily
{
    /// <summary>Name of the convolutional parameter group.</summary>
    public const string ConvGroup = "conv";

    /// <summary>Name of the fully-connected parameter group.</summary>
    public const string FcGroup = "fc";

    private const double BatchNormEpsilon = 1e-5;

    private readonly ImageTensors data;
    private readonly List<Block> blocks = new();
    private readonly int flattened;

    /// <summary>A family of <paramref name="config"/> convnets trained on <paramref name="data"/> (taken over: disposed with the family).</summary>
    public ConvNetFamily(ImageTensors data, ConvNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(data);
        config.Validate();
        var poolings = config.Channels.Count;
        if (data.Rows >> poolings < 1 || data.Cols >> poolings < 1)
            throw new ArgumentException($"{data.Rows}x{data.Cols} images are too small for {poolings} 2x2 poolings", nameof(data));
        this.data = data;
        Config = config;

        var offset = 0;
        var inChannels = data.Channels;
        foreach (var channels in config.Channels)
        {
            var kernel = channels * inChannels * config.KernelSize * config.KernelSize;
            blocks.Add(new Block(offset, kernel, inChannels, channels));
            offset += kernel + 2 * channels;
            inChannels = channels;
        }
        var convLength = offset;
        flattened = inChannels * (data.Rows >> poolings) * (data.Cols >> poolings);
        offset += flattened * config.HiddenUnits + config.HiddenUnits;
        offset += config.HiddenUnits * data.ClassCount + data.ClassCount;
        Dimension = offset;
        Groups = [new ParameterGroup(ConvGroup, 0, convLength), new ParameterGroup(FcGroup, convLength, Dimension - convLength)];
    }

    /// <summary>The network shape and minibatch size.</summary>
    public ConvNetConfig Config { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <inheritdoc />
    public string Name => $"{data.Name}-{Config.Describe()}";

    /// <inheritdoc />
    public IOptimizee Sample(int count, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        var size = Config.KernelSize;
        foreach (var block in blocks)
        {
            parts.Add(randn(new long[] { count, block.KernelLength }, generator: generator).mul(Math.Sqrt(2.0 / (block.InChannels * size * size))));
            parts.Add(ones(count, block.OutChannels));
            parts.Add(zeros(count, block.OutChannels));
        }
        parts.Add(randn(new long[] { count, flattened * Config.HiddenUnits }, generator: generator).mul(Math.Sqrt(2.0 / flattened)));
        parts.Add(zeros(count, Config.HiddenUnits));
        parts.Add(randn(new long[] { count, Config.HiddenUnits * data.ClassCount }, generator: generator).mul(Math.Sqrt(2.0 / Config.HiddenUnits)));
        parts.Add(zeros(count, data.ClassCount));
        var theta0 = cat(parts.ToArray(), 1).DetachFromDisposeScope();
        var minibatches = new Minibatches(count, Config.BatchSize, data.Count, Minibatches.DrawSeed(generator));
        return new Batch(this, theta0, minibatches);
    }

    /// <summary>
    /// The class scores of every problem's convnet on its own images: <paramref name="theta"/>
    /// [problems, dimension], <paramref name="images"/> [problems, batch, channels, rows, cols] to logits
    /// [problems, batch, classes].
    /// </summary>
    public Tensor Logits(Tensor theta, Tensor images)
    {
        var problems = (int)theta.shape[0];
        var batch = images.shape[1];
        // [problems, batch, C, H, W] -> [batch, problems * C, H, W]: problem p's images are channel group p.
        var x = images.transpose(0, 1).reshape(batch, problems * data.Channels, data.Rows, data.Cols);
        var size = Config.KernelSize;
        foreach (var block in blocks)
        {
            var kernel = theta.narrow(1, block.Offset, block.KernelLength).reshape(problems * block.OutChannels, block.InChannels, size, size);
            var scale = theta.narrow(1, block.Offset + block.KernelLength, block.OutChannels).reshape(1, problems * block.OutChannels, 1, 1);
            var shift = theta.narrow(1, block.Offset + block.KernelLength + block.OutChannels, block.OutChannels).reshape(1, problems * block.OutChannels, 1, 1);
            x = nn.functional.conv2d(x, kernel, padding: new long[] { size / 2, size / 2 }, groups: problems);
            x = BatchNorm(x).mul(scale).add(shift).relu();
            x = nn.functional.max_pool2d(x, 2);
        }
        // [batch, problems * C, h, w] -> [problems, batch, C*h*w]
        var features = x.reshape(batch, problems, flattened).transpose(0, 1);
        var offset = Groups[1].Start;
        var hidden = Config.HiddenUnits;
        var w1 = theta.narrow(1, offset, flattened * hidden).view(problems, flattened, hidden);
        var b1 = theta.narrow(1, offset + flattened * hidden, hidden).unsqueeze(1);
        offset += flattened * hidden + hidden;
        var classes = data.ClassCount;
        var w2 = theta.narrow(1, offset, hidden * classes).view(problems, hidden, classes);
        var b2 = theta.narrow(1, offset + hidden * classes, classes).unsqueeze(1);
        return features.bmm(w1).add(b1).relu().bmm(w2).add(b2);
    }

    /// <summary>Normalises every channel over the minibatch and the image (biased variance, as in training-mode batch norm).</summary>
    private static Tensor BatchNorm(Tensor x)
    {
        var dims = new long[] { 0, 2, 3 };
        var mean = x.mean(dims, keepdim: true);
        var centred = x - mean;
        var variance = centred.square().mean(dims, keepdim: true);
        return centred * (variance + BatchNormEpsilon).rsqrt();
    }

    /// <inheritdoc />
    public int SampleCount => data.Count;

    /// <summary>
    /// Every problem's mean cross-entropy and accuracy over all <see cref="SampleCount"/> images, for
    /// <paramref name="theta"/> [problems, dimension], without gradients.
    /// </summary>
    /// <remarks>
    /// The family keeps no running averages, so batch normalisation uses the statistics of the images scored
    /// together: the data set is cut into near-equal chunks of about 1,000 images (never a
    /// small remainder), each a far larger sample of the split than a training minibatch. On a test split
    /// these are the test images' own statistics (transductive batch norm), the usual stand-in where no
    /// running averages exist.
    /// </remarks>
    public (double[] Loss, double[]? Accuracy) Score(Tensor theta) =>
        // One problem at a time: a chunk's activations are about 1,000 x channels x rows x cols floats per layer.
        ImageClassifierScore.Compute(theta, Dimension, data, ImageClassifierScore.EvenChunks(data.Count, ScoreChunk),
            (row, start, count) => Logits(row, data.Pixels.narrow(0, start, count).view(1, count, data.Channels, data.Rows, data.Cols)).squeeze(0));

    /// <summary>Images per chunk (about) when scoring a whole data set; divides Fashion-MNIST's and CIFAR-10's splits.</summary>
    private const int ScoreChunk = 1000;

    /// <inheritdoc />
    public void Dispose() => data.Dispose();

    /// <summary>Where one convolutional block's kernel [out, in, k, k] and batch-norm scale and shift [out] start.</summary>
    private sealed record Block(int Offset, int KernelLength, int InChannels, int OutChannels);

    private sealed class Batch(ConvNetFamily family, Tensor theta0, Minibatches minibatches) : IOptimizee
    {
        public int ProblemCount => (int)theta0.shape[0];
        public int Dimension => family.Dimension;
        public IReadOnlyList<ParameterGroup> Groups => family.Groups;
        public Tensor InitialParameters() => theta0.clone();

        public Tensor Loss(Tensor theta, int step)
        {
            var problems = ProblemCount;
            var images = family.data;
            var batch = family.Config.BatchSize;
            var indices = minibatches.Indices(step);
            var inputs = images.Pixels.index_select(0, indices).view(problems, batch, images.Channels, images.Rows, images.Cols);
            var logits = family.Logits(theta, inputs);
            var labels = images.Labels.index_select(0, indices);
            var losses = nn.functional.cross_entropy(logits.reshape(problems * batch, images.ClassCount), labels, reduction: nn.Reduction.None);
            return losses.view(problems, batch).mean(new long[] { 1 });
        }

        public void Dispose()
        {
            theta0.Dispose();
            minibatches.Dispose();
        }
    }
}
