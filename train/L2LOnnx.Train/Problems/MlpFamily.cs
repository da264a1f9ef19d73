using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// The paper's MNIST problems (section 3.2): train a small fully-connected classifier on minibatches of
/// an image data set. Each problem is a fresh initialisation N(0, s^2) and its own minibatch sequence.
/// Batched: the networks of all problems in a batch run as one computation (batched matrix products
/// over [problems, batch, features]).
/// </summary>
/// <remarks>
/// One problem's parameters are laid out layer by layer, each as the weight [in, out] (row-major) then
/// the bias [out]. The family owns the image tensors; dispose it when done.
/// </remarks>
public sealed class MlpFamily : IFixedDataFamily
{
    private readonly ImageTensors data;
    private readonly int[] sizes;

    /// <summary>A family of <paramref name="config"/> networks trained on <paramref name="data"/> (taken over: disposed with the family).</summary>
    public MlpFamily(ImageTensors data, MlpConfig config)
    {
        ArgumentNullException.ThrowIfNull(data);
        config.Validate();
        this.data = data;
        Config = config;
        sizes = [data.ImageSize, .. config.HiddenSizes, data.ClassCount];
        Dimension = Enumerable.Range(0, sizes.Length - 1).Sum(l => sizes[l] * sizes[l + 1] + sizes[l + 1]);
    }

    /// <summary>The network shape and minibatch size.</summary>
    public MlpConfig Config { get; }

    /// <summary>Parameters per problem (15,910 for the paper's 784-20-10).</summary>
    public int Dimension { get; }

    /// <summary>The images the problems train on.</summary>
    public ImageTensors Data => data;

    /// <inheritdoc />
    public string Name => $"{data.Name}-{Config.Describe()}";

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> Groups => ParameterGroup.Single(Dimension);

    /// <inheritdoc />
    public IOptimizee Sample(int count, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        using var scope = NewDisposeScope();
        var theta0 = randn(new long[] { count, Dimension }, generator: generator).mul(Config.InitStd).DetachFromDisposeScope();
        var minibatches = new Minibatches(count, Config.BatchSize, data.Count, Minibatches.DrawSeed(generator));
        return new Batch(this, theta0, minibatches);
    }

    /// <summary>
    /// The class scores of every problem's network on its own inputs: <paramref name="theta"/>
    /// [problems, dimension], <paramref name="inputs"/> [problems, batch, features] to logits
    /// [problems, batch, classes], one batched matrix product per layer.
    /// </summary>
    public Tensor Logits(Tensor theta, Tensor inputs)
    {
        var problems = theta.shape[0];
        var activations = inputs;
        var offset = 0;
        for (var layer = 0; layer < sizes.Length - 1; layer++)
        {
            int fanIn = sizes[layer], fanOut = sizes[layer + 1];
            // Views into theta [problems, dimension]: splitting a row segment needs no copy.
            var weight = theta.narrow(1, offset, fanIn * fanOut).view(problems, fanIn, fanOut);
            var bias = theta.narrow(1, offset + fanIn * fanOut, fanOut).unsqueeze(1);
            offset += fanIn * fanOut + fanOut;
            activations = activations.bmm(weight).add_(bias);
            if (layer < sizes.Length - 2)
                activations = Config.Activation switch
                {
                    Activation.Sigmoid => activations.sigmoid(),
                    Activation.Relu => activations.relu(),
                    _ => activations.tanh(),
                };
        }
        return activations;
    }

    /// <inheritdoc />
    public int SampleCount => data.Count;

    /// <inheritdoc />
    public (double[] Loss, double[]? Accuracy) Score(Tensor theta) =>
        // Chunks bound the activations to ScoreChunk x widest layer floats per problem.
        ImageClassifierScore.Compute(theta, Dimension, data, ImageClassifierScore.FixedChunks(data.Count, ScoreChunk),
            (row, start, count) => Logits(row, data.Pixels.narrow(0, start, count).unsqueeze(0)).squeeze(0));

    private const int ScoreChunk = 2000;

    /// <inheritdoc />
    public void Dispose() => data.Dispose();

    private sealed class Batch(MlpFamily family, Tensor theta0, Minibatches minibatches) : IOptimizee
    {
        public int ProblemCount => (int)theta0.shape[0];
        public int Dimension => family.Dimension;
        public Tensor InitialParameters() => theta0.clone();

        public Tensor Loss(Tensor theta, int step)
        {
            var problems = ProblemCount;
            var batch = family.Config.BatchSize;
            var indices = minibatches.Indices(step);
            var inputs = family.data.Pixels.index_select(0, indices).view(problems, batch, family.sizes[0]);
            var logits = family.Logits(theta, inputs);
            var labels = family.data.Labels.index_select(0, indices);
            var losses = nn.functional.cross_entropy(logits.view(problems * batch, family.data.ClassCount), labels, reduction: nn.Reduction.None);
            return losses.view(problems, batch).mean(new long[] { 1 });
        }

        public void Dispose()
        {
            theta0.Dispose();
            minibatches.Dispose();
        }
    }
}
