using CsCheck;
using L2LOnnx.Runtime;

namespace L2LOnnx.Runtime.Tests;

/// <summary>
/// Property: for any N, any split of the coordinates into shards and any thread counts, the fused
/// engine steps every shard to exactly the bits of the whole vector.
/// </summary>
public sealed class SplitPropertyTests : IDisposable
{
    private readonly LearnedOptimizer[] byThreads = Enumerable.Range(1, 3)
        .Select(t => LearnedOptimizer.Load(LstmModels.Bytes(layers: 2, hidden: 6), new LearnedOptimizerOptions { Engine = OptimizerEngine.Fused, IntraOpThreads = t }))
        .ToArray();

    [Fact]
    public void AnySplitAndThreadCountGivesTheBitsOfTheWhole()
    {
        var gen =
            from n in Gen.Int[1, 3_000]
            from cuts in Gen.Int[0, n].Array[0, 6]
            from wholeThreads in Gen.Int[1, 3]
            from shardThreads in Gen.Int[1, 3].Array[7]
            from seed in Gen.Int
            select (n, cuts, wholeThreads, shardThreads, seed);
        gen.Sample(c => Holds(c.n, c.cuts, c.wholeThreads, c.shardThreads, c.seed), iter: 40, threads: 1);
    }

    private bool Holds(int n, int[] cuts, int wholeThreads, int[] shardThreads, int seed)
    {
        var bounds = cuts.Append(0).Append(n).Distinct().Order().ToArray();
        var whole = byThreads[wholeThreads - 1];
        using var wholeState = whole.CreateState(n);
        var wholeParameters = ChunkingTests.Parameters(n);
        var shardParameters = (float[])wholeParameters.Clone();
        var shards = new List<(LearnedOptimizer Optimizer, OptimizerState State, Range Range)>();
        try
        {
            for (var s = 0; s + 1 < bounds.Length; s++)
            {
                var optimizer = byThreads[shardThreads[s] - 1];
                shards.Add((optimizer, optimizer.CreateState(bounds[s + 1] - bounds[s]), bounds[s]..bounds[s + 1]));
            }
            for (var step = 0; step < 3; step++)
            {
                var grad = Gradients.Spanning(n, seed + step);
                whole.Step(wholeParameters, grad, wholeState);
                foreach (var (optimizer, state, range) in shards)
                    optimizer.Step(shardParameters.AsSpan(range), grad.AsSpan(range), state);
            }
            if (!wholeParameters.AsSpan().SequenceEqual(shardParameters)) return false;
            for (var s = 0; s < wholeState.Specs.Count; s++)
                if (!wholeState.Read(s).AsSpan().SequenceEqual(shards.SelectMany(x => x.State.Read(s)).ToArray())) return false;
            return true;
        }
        finally
        {
            foreach (var shard in shards) shard.State.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var optimizer in byThreads) optimizer.Dispose();
    }
}
