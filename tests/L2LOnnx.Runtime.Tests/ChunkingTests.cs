using Xunit.Abstractions;
using L2LOnnx.Runtime;

namespace L2LOnnx.Runtime.Tests;

/// <summary>Contract v1 is coordinatewise: any split of the coordinates steps to the same result as the whole.</summary>
public sealed class ChunkingTests(ITestOutputHelper output)
{
    /// <summary>
    /// The fused engine runs every coordinate through the same instructions, so a split changes no bit.
    /// ONNX Runtime picks kernels by batch size (a batch of 1 takes another path), so its results may
    /// differ in the last bits: equal to 1e-6 there.
    /// </summary>
    [Theory]
    [InlineData(OptimizerEngine.Fused, 2, 0.0)]
    [InlineData(OptimizerEngine.OnnxRuntime, 1, 1e-6)]
    public void SteppingInChunksEqualsSteppingWhole(OptimizerEngine engine, int threads, double tolerance)
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { Engine = engine, IntraOpThreads = threads });
        const int n = 2_000;
        int[] cuts = [0, 1, 37, 64, 999, 1_500, n];
        var whole = Parameters(n);
        var pieces = (float[])whole.Clone();
        using var wholeState = optimizer.CreateState(n);
        var chunkStates = cuts.Zip(cuts.Skip(1)).Select(c => optimizer.CreateState(c.Second - c.First)).ToArray();
        try
        {
            for (var step = 0; step < 10; step++)
            {
                var grad = Gradients.Spanning(n, seed: 100 + step);
                optimizer.Step(whole, grad, wholeState);
                for (var c = 0; c < chunkStates.Length; c++)
                {
                    var range = cuts[c]..cuts[c + 1];
                    optimizer.Step(pieces.AsSpan(range), grad.AsSpan(range), chunkStates[c]);
                }
            }
            AssertClose(whole, pieces, tolerance);
            for (var s = 0; s < wholeState.Specs.Count; s++)
                AssertClose(wholeState.Read(s), chunkStates.SelectMany(c => c.Read(s)).ToArray(), tolerance);
        }
        finally
        {
            foreach (var state in chunkStates) state.Dispose();
        }
    }

    [Fact]
    public void OnnxRuntimeTilesGiveTheSameResultAsOneRun()
    {
        var bytes = LstmModels.Bytes();
        using var tiled = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1, TileSize = 300 });
        using var untiled = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1 });
        const int n = 1_000;
        using var a = tiled.CreateState(n);
        using var b = untiled.CreateState(n);
        var pa = Parameters(n);
        var pb = (float[])pa.Clone();
        for (var step = 0; step < 5; step++)
        {
            var grad = Gradients.Spanning(n, seed: step);
            tiled.Step(pa, grad, a);
            untiled.Step(pb, grad, b);
        }
        Assert.Equal(pb, pa);
        Assert.Equal(b.Read(0), a.Read(0));
    }

    [Theory]
    [InlineData(OptimizerEngine.Fused)]
    [InlineData(OptimizerEngine.OnnxRuntime)]
    public void AGroupOfTensorsStepsLikeTheirConcatenation(OptimizerEngine engine)
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { Engine = engine, IntraOpThreads = 1 });
        int[] lengths = [784 * 20, 20, 20 * 10, 10];
        var total = lengths.Sum();
        using var group = optimizer.CreateState(("w1", lengths[0]), ("b1", lengths[1]), ("w2", lengths[2]), ("b2", lengths[3]));
        using var flat = optimizer.CreateState(total);
        Assert.Equal(total, group.Length);
        Assert.Equal(new ParameterSegment("w2", lengths[0] + lengths[1], lengths[2]), group.Segments[2]);

        var flatParameters = Parameters(total);
        var tensors = Split(flatParameters, lengths);
        var updates = lengths.Select(l => new float[l]).ToArray();
        for (var step = 0; step < 5; step++)
        {
            var grad = Gradients.Spanning(total, seed: step);
            optimizer.Step(tensors, Split(grad, lengths), group);
            optimizer.Step(flatParameters, grad, flat);
        }
        Assert.Equal(flatParameters, tensors.SelectMany(t => t).ToArray());

        var last = Gradients.Spanning(total, seed: 99);
        var flatUpdate = new float[total];
        optimizer.ComputeUpdate(Split(last, lengths), group, updates);
        optimizer.ComputeUpdate(last, flat, flatUpdate);
        Assert.Equal(flatUpdate, updates.SelectMany(u => u).ToArray());
    }

    private void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        output.WriteLine($"chunked vs whole: {LstmModels.MaxDifference(expected, actual):E2}");
        if (tolerance == 0) Assert.Equal(expected, actual);
        else Assert.True(LstmModels.MaxDifference(expected, actual) <= tolerance, $"difference {LstmModels.MaxDifference(expected, actual):E2}");
    }

    internal static float[] Parameters(int n)
    {
        var random = new Random(n);
        return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static float[][] Split(float[] values, int[] lengths)
    {
        var result = new float[lengths.Length][];
        var offset = 0;
        for (var i = 0; i < lengths.Length; i++)
        {
            result[i] = values.AsSpan(offset, lengths[i]).ToArray();
            offset += lengths[i];
        }
        return result;
    }
}
