using System.Runtime.InteropServices;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// The whole-step function (all layers and the output on blocks of coordinates, MKL products, several
/// threads) against one fused cell per layer with libtorch's products: same meta-gradients, and results
/// that do not depend on the thread count.
/// </summary>
public sealed class FusedLstmStepTests
{
    public FusedLstmStepTests() => TorchModules.UseOneThread();

    [Fact]
    public void LibtorchCarriesMklOnLinuxX64()
    {
        // The blocked path is the one meta-training uses on this platform; everywhere else it may fall back.
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
            Assert.True(MklGemm.IsAvailable, "libtorch_cpu exports no sgemm_: the optimizer would fall back to one cell per layer with libtorch's products");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public unsafe void RowMajorProductMatchesTorchMm(bool transposeA, bool transposeB)
    {
        if (!MklGemm.IsAvailable) return;
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        const int m = 37, n = 45, k = 19, pad = 3;
        // Stored with padded rows, so every leading dimension differs from the logical width.
        var a = randn(transposeA ? new long[] { k, m + pad } : [m, k + pad], generator: generator);
        var b = randn(transposeB ? new long[] { n, k + pad } : [k, n + pad], generator: generator);
        var c = randn(new long[] { m, n + pad }, generator: generator);
        var opA = transposeA ? a.narrow(1, 0, m) : a.narrow(1, 0, k);
        var opB = transposeB ? b.narrow(1, 0, k) : b.narrow(1, 0, n);
        var expected = c.narrow(1, 0, n).mul(0.5f).add((transposeA ? opA.t() : opA).mm(transposeB ? opB.t() : opB).mul(2f));
        var padding = c.narrow(1, n, pad).clone();

        MklGemm.Multiply(transposeA, transposeB, m, n, k, 2f, LstmCellKernels.Pointer(a), (int)a.shape[1], LstmCellKernels.Pointer(b), (int)b.shape[1],
            0.5f, LstmCellKernels.Pointer(c), (int)c.shape[1]);

        Assert.True(expected.allclose(c.narrow(1, 0, n), rtol: 1e-5, atol: 1e-5), $"max difference {(expected - c.narrow(1, 0, n)).abs().max().item<float>():E2}");
        Assert.True(padding.equal(c.narrow(1, n, pad)).all().item<bool>(), "the product wrote past the rows' logical width");
    }

    [Theory]
    [InlineData(false, 10.0)]
    [InlineData(true, 10.0)]
    [InlineData(false, null)]
    public void MetaGradientMatchesTheLayerCells(bool secondDerivatives, double? preprocessing)
    {
        // 3 problems x 803 parameters: 5 blocks, the last one partial and not a whole number of vectors.
        using var family = new MlpFamily(new ImageTensors(TinyImages.Random(64, 1, 4, 3, seed: 1)), new MlpConfig { HiddenSizes = [40], BatchSize = 16, InitStd = 0.5 });
        using var generator = new Generator(22);
        using var problems = family.Sample(3, generator);
        Assert.True(problems.ProblemCount * problems.Dimension > 4 * FusedLstmStep.BlockSize);
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig(2, 8, preprocessing, 0.1))), 8, seed: 6);
        var trainer = new MetaTrainer(optimizer, family, new MetaTrainingOptions { TrajectoryLength = 6, UnrollLength = 6, SecondDerivatives = secondDerivatives });

        var blocked = trainer.MetaGradient(problems);
        float[] cells;
        LstmOptimizer.UseLayerCells = true;
        try { cells = trainer.MetaGradient(problems); }
        finally { LstmOptimizer.UseLayerCells = false; }

        var difference = Math.Sqrt(blocked.Zip(cells, (a, b) => (double)(a - b) * (a - b)).Sum());
        var norm = Math.Sqrt(cells.Sum(a => (double)a * a));
        Assert.True(norm > 0, "the reference meta-gradient is zero: the test would prove nothing");
        Assert.True(difference <= 1e-5 * norm, $"whole-step and per-layer meta-gradients differ by {difference:E2} (norm {norm:E2})");
    }

    [Fact]
    public void StepAndGradientsAreTheSameBitsAtOneAndTwoThreads()
    {
        var one = StepAndGradients(threads: 1);
        var two = StepAndGradients(threads: 2);

        Assert.Equal(one.Length, two.Length);
        for (var i = 0; i < one.Length; i++) Assert.True(one[i].AsSpan().SequenceEqual(two[i]), $"output or gradient {i} differs between 1 and 2 threads");
    }

    /// <summary>
    /// One step over 5,003 coordinates (10 blocks, the last partial) from a live state that requires
    /// gradients, and its backward from random output weights: the update, the next state, and the
    /// gradients of the state and of every network weight.
    /// </summary>
    private static float[][] StepAndGradients(int threads)
    {
        torch.set_num_threads(threads);
        try
        {
            using var scope = NewDisposeScope();
            using var network = TorchModules.Seeded(new LstmOptimizer(new LstmOptimizerConfig(2, 6, 10.0, 0.1)), 6, seed: 8);
            using var generator = new Generator(7);
            const int hidden = 6, n = 5003;
            var grad = randn(new long[] { n }, generator: generator).mul(exp(randn(new long[] { n }, generator: generator).mul(4)));
            // Feature-major leaves, handed over as the [N, H] views a state holds.
            var leaves = Enumerable.Range(0, 4).Select(_ => randn(new long[] { hidden, n }, generator: generator).requires_grad_(true)).ToArray();
            using var state = new LstmOptimizerState([(leaves[0].t(), leaves[1].t()), (leaves[2].t(), leaves[3].t())]);
            var (update, next) = network.Step(grad, state);
            var loss = update.mul(randn(new long[] { n }, generator: generator)).sum();
            foreach (var (h, c) in next.Layers)
                loss = loss + h.mul(randn(new long[] { n, hidden }, generator: generator)).sum() + c.mul(randn(new long[] { n, hidden }, generator: generator)).sum();
            loss.backward();
            return new[] { update }.Concat(next.Layers.SelectMany(l => new[] { l.H, l.C })).Concat(leaves.Select(l => l.grad!)).Concat(network.parameters().Select(p => p.grad!))
                .Select(t => t.detach().contiguous().data<float>().ToArray()).ToArray();
        }
        finally
        {
            torch.set_num_threads(1);
        }
    }
}
