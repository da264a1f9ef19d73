using L2LOnnx.Train.Data;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>The batched optimizees compute, for every problem, what that problem's own network computes.</summary>
public sealed class ProblemTests
{
    public ProblemTests() => TorchModules.UseOneThread();

    [Theory]
    [InlineData(new[] { 5 }, Activation.Sigmoid)]
    [InlineData(new[] { 4, 3 }, Activation.Relu)]
    public void BatchedMlpLogitsEqualEachProblemsOwnNetwork(int[] hidden, Activation activation)
    {
        using var family = new MlpFamily(new ImageTensors(TinyImages.Random(20, 1, 3, 4, seed: 2)), new MlpConfig { HiddenSizes = hidden, Activation = activation, InitStd = 0.5 });
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        using var problems = family.Sample(3, generator);
        var theta = problems.InitialParameters();
        var inputs = rand(new long[] { 3, 7, 9 }, generator: generator);

        var batched = family.Logits(theta, inputs);

        int[] sizes = [9, .. hidden, 4];
        for (var p = 0; p < 3; p++)
        {
            // Reference: nn.functional.linear with weight [out, in], i.e. the transpose of the [in, out] layout.
            var x = inputs[p];
            var offset = 0L;
            for (var layer = 0; layer < sizes.Length - 1; layer++)
            {
                var weight = theta[p].narrow(0, offset, sizes[layer] * sizes[layer + 1]).view(sizes[layer], sizes[layer + 1]).t();
                var bias = theta[p].narrow(0, offset + sizes[layer] * sizes[layer + 1], sizes[layer + 1]);
                offset += sizes[layer] * sizes[layer + 1] + sizes[layer + 1];
                x = nn.functional.linear(x, weight, bias);
                if (layer < sizes.Length - 2) x = activation == Activation.Sigmoid ? nn.functional.sigmoid(x) : nn.functional.relu(x);
            }
            Assert.Equal(theta.shape[1], offset);
            Assert.True(x.allclose(batched[p], rtol: 1e-5, atol: 1e-6), $"problem {p}: batched logits differ from its own network's");
        }
    }

    [Theory]
    [InlineData(3, 8, new[] { 3, 4, 2 }, 2)] // colour images, as CIFAR-10's
    [InlineData(1, 28, new[] { 4, 8 }, 3)] // the Fashion-MNIST convnet's shape: one channel, 28x28
    public void BatchedConvNetLogitsEqualEachProblemsOwnNetwork(int inputChannels, int side, int[] channels, int problemCount)
    {
        const int batch = 6, hidden = 5, classes = 10;
        var config = new ConvNetConfig { Channels = channels, HiddenUnits = hidden, BatchSize = batch };
        using var family = new ConvNetFamily(new ImageTensors(TinyImages.Random(10, inputChannels, side, classes, seed: 4)), config);
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        using var problems = family.Sample(problemCount, generator);
        // Random batch-norm scales and shifts too, so their layout is checked as well.
        var theta = problems.InitialParameters() + randn(new long[] { problemCount, family.Dimension }, generator: generator).mul(0.1);
        var images = rand(new long[] { problemCount, batch, inputChannels, side, side }, generator: generator);

        var batched = family.Logits(theta, images);

        for (var p = 0; p < problemCount; p++)
        {
            var x = images[p];
            var offset = 0L;
            var inChannels = (long)inputChannels;
            foreach (var outChannels in channels)
            {
                var kernelLength = outChannels * inChannels * 9;
                var kernel = theta[p].narrow(0, offset, kernelLength).view(outChannels, inChannels, 3, 3);
                var gamma = theta[p].narrow(0, offset + kernelLength, outChannels);
                var beta = theta[p].narrow(0, offset + kernelLength + outChannels, outChannels);
                offset += kernelLength + 2 * outChannels;
                x = nn.functional.conv2d(x, kernel, padding: new long[] { 1, 1 });
                x = nn.functional.batch_norm(x, null, null, gamma, beta, training: true, eps: 1e-5);
                x = nn.functional.max_pool2d(nn.functional.relu(x), 2);
                inChannels = outChannels;
            }
            Assert.Equal(family.Groups[1].Start, offset);
            var features = x.reshape(batch, -1);
            var flattened = features.shape[1];
            Assert.Equal(channels[^1] * (side >> channels.Length) * (side >> channels.Length), flattened);
            var w1 = theta[p].narrow(0, offset, flattened * hidden).view(flattened, hidden);
            var b1 = theta[p].narrow(0, offset + flattened * hidden, hidden);
            offset += flattened * hidden + hidden;
            var w2 = theta[p].narrow(0, offset, hidden * classes).view(hidden, classes);
            var b2 = theta[p].narrow(0, offset + hidden * classes, classes);
            var logits = nn.functional.relu(features.matmul(w1) + b1).matmul(w2) + b2;
            Assert.Equal(family.Dimension, offset + hidden * classes + classes);
            Assert.True(logits.allclose(batched[p], rtol: 1e-4, atol: 1e-5), $"problem {p}: batched logits differ from its own convnet's");
        }
    }

    [Fact]
    public void ConvNetParameterGroupsSeparateConvolutionalFromFullyConnected()
    {
        var config = new ConvNetConfig { Channels = [16, 16, 16], HiddenUnits = 32 };
        using var family = new ConvNetFamily(new ImageTensors(TinyImages.Random(4, 3, 32, 10, seed: 6)), config);

        var conv = (3 * 16 * 9 + 32) + 2 * (16 * 16 * 9 + 32);
        var fc = (16 * 4 * 4 * 32 + 32) + (32 * 10 + 10);
        Assert.Equal([new ParameterGroup("conv", 0, conv), new ParameterGroup("fc", conv, fc)], family.Groups);
        Assert.Equal(conv + fc, family.Dimension);
    }

    [Fact]
    public void MinibatchesAreFixedPerStepAndDifferBetweenSteps()
    {
        using var minibatches = new Minibatches(problems: 3, batchSize: 16, images: 100, seed: 9);
        using var again = new Minibatches(problems: 3, batchSize: 16, images: 100, seed: 9);
        var step2 = minibatches.Indices(2).data<long>().ToArray();

        Assert.Equal(step2, minibatches.Indices(2).data<long>().ToArray());
        Assert.Equal(step2, again.Indices(2).data<long>().ToArray());
        Assert.NotEqual(step2, minibatches.Indices(3).data<long>().ToArray());
        Assert.All(step2, i => Assert.InRange(i, 0, 99));
    }

    [Fact]
    public void AParameterScaledProblemIsTheSameProblemInOtherCoordinates()
    {
        using var plain = new QuadraticFamily(5);
        using var scaled = new ParameterScaledFamily(new QuadraticFamily(5), decades: 2);
        using var scope = NewDisposeScope();
        using var plainProblems = plain.Sample(64, new Generator(12));
        using var scaledProblems = scaled.Sample(64, new Generator(12));
        var theta0 = plainProblems.InitialParameters();
        var phi0 = scaledProblems.InitialParameters();
        // Same seed, same problems: theta0 = s phi0 row by row, with s = theta0 / phi0 one number per problem.
        var s = theta0.div(phi0);
        Assert.True(s.sub(s.narrow(1, 0, 1)).abs().max().item<float>() <= 1e-4f * s.abs().max().item<float>(), "a problem's scale differs between its coordinates");
        var scales = s.narrow(1, 0, 1).squeeze(1).data<float>().ToArray();
        Assert.All(scales, v => Assert.InRange(v, 0.0099f, 101f));
        Assert.True(scales.Min() < 0.1f && scales.Max() > 10f, $"64 scales span only {scales.Min()} .. {scales.Max()}, not four decades");
        // f_s(phi) = f(s phi) at the start and at any other point.
        var phi = randn(64, 5, generator: new Generator(3));
        var expected = plainProblems.Loss(phi.mul(s.narrow(1, 0, 1)), 0).data<float>().ToArray();
        var actual = scaledProblems.Loss(phi, 0).data<float>().ToArray();
        for (var i = 0; i < 64; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"problem {i}: {expected[i]} vs {actual[i]}");
        Assert.Contains("scaled", scaled.Name);
    }

    [Fact]
    public void ProblemsInABatchAreIndependent()
    {
        using var family = new MlpFamily(new ImageTensors(TinyImages.Random(50, 1, 4, 3, seed: 7)), new MlpConfig { HiddenSizes = [6], BatchSize = 8 });
        using var scope = NewDisposeScope();
        using var generator = new Generator(8);
        using var problems = family.Sample(3, generator);
        var theta = problems.InitialParameters();
        var losses = problems.Loss(theta, step: 4).data<float>().ToArray();

        var changed = theta.clone();
        changed[1].add_(1.0);
        var after = problems.Loss(changed, step: 4).data<float>().ToArray();

        Assert.Equal(losses[0], after[0]);
        Assert.Equal(losses[2], after[2]);
        Assert.NotEqual(losses[1], after[1]);
        Assert.Equal(losses, problems.Loss(theta, step: 4).data<float>().ToArray());
    }

    [DataSetFact(DataSet.Mnist)]
    public void MnistIsSplitIntoTrainingAndHeldOutDigits()
    {
        var spec = new ProblemSpec { Kind = ProblemKind.Mnist };
        using var training = (MlpFamily)spec.Training();
        using var heldOut = (MlpFamily)spec.HeldOut();

        Assert.Equal(ProblemSpec.MnistTrainingImages, training.Data.Count);
        Assert.Equal(DataSets.Mnist().Count - ProblemSpec.MnistTrainingImages, heldOut.Data.Count);
        Assert.Equal(784 * 20 + 20 + 20 * 10 + 10, training.Dimension);
        // No held-out image is a training image (the 10,000 npm digits are distinct images).
        var trainingImages = new HashSet<string>(Rows(training.Data.Pixels));
        Assert.DoesNotContain(Rows(heldOut.Data.Pixels), trainingImages.Contains);
    }

    private static IEnumerable<string> Rows(Tensor pixels)
    {
        var values = pixels.data<float>().ToArray();
        var width = (int)pixels.shape[1];
        for (var row = 0; row < pixels.shape[0]; row++)
            yield return Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan(row * width, width)));
    }
}
