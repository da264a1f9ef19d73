using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// The minibatches a batch of stochastic problems sees: for optimizee step <c>t</c>, every problem gets
/// its own <c>batchSize</c> image indices drawn uniformly (with replacement) from the data. Indices are
/// drawn in step order from the problems' own generator and kept, so a step's minibatch is the same
/// on every run over the same problems: each optimizer compared on them sees the same data.
/// </summary>
public sealed class Minibatches : IDisposable
{
    private readonly Generator generator;
    private readonly List<Tensor> drawn = new();
    private readonly int problems;
    private readonly int batchSize;
    private readonly int images;

    /// <summary>Minibatches for <paramref name="problems"/> problems over <paramref name="images"/> images, seeded by <paramref name="seed"/>.</summary>
    public Minibatches(int problems, int batchSize, int images, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(problems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(images);
        this.problems = problems;
        this.batchSize = batchSize;
        this.images = images;
        generator = new Generator(seed);
    }

    /// <summary>Image indices of step <paramref name="step"/>, [problems * batchSize], problem-major.</summary>
    public Tensor Indices(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        while (drawn.Count <= step)
            drawn.Add(randint(0, images, new long[] { (long)problems * batchSize }, dtype: ScalarType.Int64, generator: generator).DetachFromDisposeScope());
        return drawn[step];
    }

    /// <summary>A seed for a new <see cref="Minibatches"/>, drawn from <paramref name="generator"/>.</summary>
    public static ulong DrawSeed(Generator generator)
    {
        using var value = randint(0, int.MaxValue, new long[] { 2 }, dtype: ScalarType.Int64, generator: generator);
        var parts = value.data<long>();
        return ((ulong)parts[0] << 31) ^ (ulong)parts[1];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var indices in drawn) indices.Dispose();
        drawn.Clear();
        generator.Dispose();
    }
}
