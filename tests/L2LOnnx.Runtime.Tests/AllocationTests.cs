using L2LOnnx.Runtime;

namespace L2LOnnx.Runtime.Tests;

/// <summary>
/// After the first step of a state, stepping allocates no managed memory on either engine, with the
/// fused engine's LSTM kernel and with a compiled program (the hand-built graph).
/// </summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData(OptimizerEngine.Fused, 1, false)]
    [InlineData(OptimizerEngine.Fused, 2, false)]
    [InlineData(OptimizerEngine.Fused, 1, true)]
    [InlineData(OptimizerEngine.Fused, 2, true)]
    [InlineData(OptimizerEngine.OnnxRuntime, 1, false)]
    [InlineData(OptimizerEngine.OnnxRuntime, 2, false)]
    public void StepsAllocateNothingAfterWarmUp(OptimizerEngine engine, int threads, bool compiledProgram)
    {
        var bytes = compiledProgram ? new HandBuiltModel().ToBytes() : LstmModels.Bytes();
        using var optimizer = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = engine, IntraOpThreads = threads, TileSize = 1_000 });
        Assert.Equal(compiledProgram, optimizer.EngineDescription.Contains("compiled program"));
        const int n = 5_000;
        using var single = optimizer.CreateState(n);
        using var group = optimizer.CreateState(("w", 4_000), ("b", 1_000));
        var parameters = ChunkingTests.Parameters(n);
        var grad = Gradients.Spanning(n, 1);
        var update = new float[n];
        float[][] tensors = [parameters[..4_000], parameters[4_000..]];
        float[][] grads = [grad[..4_000], grad[4_000..]];
        float[][] updates = [new float[4_000], new float[1_000]];
        optimizer.Step(parameters, grad, single);
        optimizer.Step(tensors, grads, group);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var step = 0; step < 100; step++)
        {
            optimizer.Step(parameters, grad, single);
            optimizer.ComputeUpdate(grad, single, update);
            optimizer.Step(tensors, grads, group);
            optimizer.ComputeUpdate(grads, group, updates);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
