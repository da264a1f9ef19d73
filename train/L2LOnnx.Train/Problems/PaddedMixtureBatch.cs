using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// Batches of problems from several families of different dimensions as one optimizee: problem rows
/// are stacked, each padded with zeros to the largest dimension. A padding coordinate never enters a
/// loss (its gradient is 0), so a coordinatewise optimizer treats every member's problems exactly as it
/// would alone. Owns the member batches.
/// </summary>
public sealed class PaddedMixtureBatch : IOptimizee
{
    private readonly IOptimizee[] batches;

    /// <summary>Stacks <paramref name="batches"/> (taken over: disposed with this batch).</summary>
    public PaddedMixtureBatch(IReadOnlyList<IOptimizee> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0) throw new ArgumentException("needs at least one batch", nameof(batches));
        this.batches = [.. batches];
        ProblemCount = batches.Sum(b => b.ProblemCount);
        Dimension = batches.Max(b => b.Dimension);
    }

    /// <inheritdoc />
    public int ProblemCount { get; }

    /// <summary>The largest member dimension; smaller members' rows are zero-padded.</summary>
    public int Dimension { get; }

    /// <inheritdoc />
    public Tensor InitialParameters()
    {
        using var scope = NewDisposeScope();
        var rows = batches.Select(b => nn.functional.pad(b.InitialParameters(), [0, Dimension - b.Dimension])).ToArray();
        return cat(rows, 0).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Loss(Tensor theta, int step)
    {
        var losses = new Tensor[batches.Length];
        var offset = 0;
        for (var i = 0; i < batches.Length; i++)
        {
            losses[i] = batches[i].Loss(theta.narrow(0, offset, batches[i].ProblemCount).narrow(1, 0, batches[i].Dimension), step);
            offset += batches[i].ProblemCount;
        }
        return cat(losses, 0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var batch in batches) batch.Dispose();
    }
}
