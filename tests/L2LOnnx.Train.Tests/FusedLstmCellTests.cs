using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// The fused LSTM cell (hand-written forward and backward) against libtorch's own <c>nn.LSTMCell</c>
/// composed the plain way, which autograd differentiates: same steps, same meta-gradients.
/// </summary>
public sealed class FusedLstmCellTests
{
    public FusedLstmCellTests() => TorchModules.UseOneThread();

    [Theory]
    [InlineData(37)]
    [InlineData(5000)]
    public void StepMatchesTheComposedCellOnAnyState(int coordinates)
    {
        using var optimizer = TorchModules.Seeded(new LstmOptimizer(new LstmOptimizerConfig(2, 6, 10.0, 0.1)), 6, seed: 2);
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        // Gradients over many magnitudes, both sides of the preprocessing threshold, and a live state.
        var grad = randn(new long[] { coordinates }, generator: generator).mul(exp(randn(new long[] { coordinates }, generator: generator).mul(6)));
        var layers = Enumerable.Range(0, 2).Select(_ => (randn(new long[] { 6, coordinates }, generator: generator).t(), randn(new long[] { 6, coordinates }, generator: generator).t())).ToArray();
        using var state = new LstmOptimizerState(layers);

        using var noGrad = no_grad();
        var (update, next) = optimizer.Step(grad, state);
        var (expectedUpdate, expectedState) = ComposedStep(optimizer, grad, state.Layers.Select(l => (l.H.contiguous(), l.C.contiguous())).ToArray());

        AssertClose(expectedUpdate, update, "update");
        for (var layer = 0; layer < 2; layer++)
        {
            AssertClose(expectedState[layer].H, next.Layers[layer].H, $"h of layer {layer}");
            AssertClose(expectedState[layer].C, next.Layers[layer].C, $"c of layer {layer}");
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void MetaGradientMatchesTheComposedCell(bool mlp, bool secondDerivatives)
    {
        using IProblemFamily family = mlp
            ? new MlpFamily(new ImageTensors(TinyImages.Random(64, 1, 4, 3, seed: 1)), new MlpConfig { HiddenSizes = [5], BatchSize = 16, InitStd = 0.5 })
            : new QuadraticFamily(6);
        using var generator = new Generator(21);
        using var problems = family.Sample(3, generator);
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(2, 8, 10.0, 0.1))), 8, seed: 5);
        var options = new MetaTrainingOptions { TrajectoryLength = 8, UnrollLength = 8, SecondDerivatives = secondDerivatives };

        var fused = new MetaTrainer(optimizer, family, options).MetaGradient(problems);
        var composed = ComposedMetaGradient(optimizer, problems, options);

        Assert.Equal(composed.Length, fused.Length);
        var difference = Math.Sqrt(fused.Zip(composed, (a, b) => (double)(a - b) * (a - b)).Sum());
        var norm = Math.Sqrt(composed.Sum(a => (double)a * a));
        Assert.True(norm > 0, "the reference meta-gradient is zero: the test would prove nothing");
        Assert.True(difference <= 1e-4 * norm, $"fused and composed meta-gradients differ by {difference:E2} (norm {norm:E2})");
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what) =>
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6),
            $"{what}: max difference {(expected - actual).abs().max().item<float>():E2}");

    /// <summary>
    /// The reference step: the preprocessing's libtorch ops, libtorch's <c>LSTMCell</c> modules on
    /// coordinate-major [N, features] inputs, and the linear output layer, as PyTorch code would write it.
    /// </summary>
    private static (Tensor Update, (Tensor H, Tensor C)[] State) ComposedStep(LstmOptimizer optimizer, Tensor grad, (Tensor H, Tensor C)[] state)
    {
        var x = GradientPreprocessing.LogSign(grad, optimizer.Config.PreprocessingP!.Value).t();
        var next = new (Tensor H, Tensor C)[state.Length];
        for (var layer = 0; layer < state.Length; layer++)
        {
            var (h, c) = optimizer.Cells[layer].forward(x, (state[layer].H, state[layer].C));
            next[layer] = (h, c);
            x = h;
        }
        return (optimizer.Output.forward(x).squeeze(1).mul((float)optimizer.Config.OutputScale), next);
    }

    /// <summary><see cref="MetaTrainer.MetaGradient"/>'s unroll, written with <see cref="ComposedStep"/> and differentiated by autograd.</summary>
    private static float[] ComposedMetaGradient(GroupedOptimizer optimizer, IOptimizee problems, MetaTrainingOptions options)
    {
        using var scope = NewDisposeScope();
        var network = (LstmOptimizer)optimizer.Networks[0].Network;
        var coordinates = (long)problems.ProblemCount * problems.Dimension;
        var state = Enumerable.Range(0, network.Config.Layers)
            .Select(_ => (zeros(coordinates, network.Config.HiddenSize), zeros(coordinates, network.Config.HiddenSize))).ToArray();
        var theta = problems.InitialParameters().requires_grad_(true);
        var loss = problems.Loss(theta, 0);
        var metaLoss = zeros(Array.Empty<long>());
        for (var step = 1; step <= options.UnrollLength; step++)
        {
            var grad = autograd.grad(new[] { loss.sum() }, new[] { theta }, retain_graph: true, create_graph: options.SecondDerivatives)[0];
            if (!options.SecondDerivatives) grad = grad.detach();
            var (update, next) = ComposedStep(network, grad.reshape(-1), state);
            theta = theta + update.view(theta.shape);
            state = next;
            loss = problems.Loss(theta, step);
            metaLoss = metaLoss + loss.mean();
        }
        optimizer.zero_grad();
        metaLoss.backward();
        var flat = optimizer.parameters().SelectMany(p => p.grad!.data<float>().ToArray()).ToArray();
        optimizer.zero_grad();
        return flat;
    }
}
