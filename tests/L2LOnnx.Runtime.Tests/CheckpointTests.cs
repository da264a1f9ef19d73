using L2LOnnx.Runtime;

namespace L2LOnnx.Runtime.Tests;

/// <summary>State checkpoints resume a run exactly and refuse what does not belong.</summary>
public sealed class CheckpointTests
{
    [Theory]
    [InlineData(OptimizerEngine.Fused)]
    [InlineData(OptimizerEngine.OnnxRuntime)]
    public void ARestoredCheckpointResumesToBitIdenticalResults(OptimizerEngine engine)
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { Engine = engine, IntraOpThreads = 1 });
        using var temp = new TempDirectory();
        const int n = 777;
        var parameters = ChunkingTests.Parameters(n);
        using var original = optimizer.CreateState(n);
        for (var step = 0; step < 7; step++) optimizer.Step(parameters, Gradients.Spanning(n, step), original);
        var path = temp.File("state.l2ls");
        original.Save(path);
        var resumedParameters = (float[])parameters.Clone();

        for (var step = 7; step < 15; step++) optimizer.Step(parameters, Gradients.Spanning(n, step), original);
        using var resumed = optimizer.CreateState(n);
        resumed.Load(path);
        Assert.Equal(7, resumed.Steps);
        for (var step = 7; step < 15; step++) optimizer.Step(resumedParameters, Gradients.Spanning(n, step), resumed);

        Assert.Equal(parameters, resumedParameters);
        Assert.Equal(original.Steps, resumed.Steps);
        for (var s = 0; s < original.Specs.Count; s++) Assert.Equal(original.Read(s), resumed.Read(s));
        Assert.Empty(Directory.GetFiles(temp.Path, "*.tmp"));
    }

    [Fact]
    public void ACheckpointMovesBetweenEngines()
    {
        var bytes = LstmModels.Bytes();
        using var ort = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1 });
        using var fused = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.Fused, IntraOpThreads = 1 });
        const int n = 100;
        using var a = ort.CreateState(n);
        var parameters = ChunkingTests.Parameters(n);
        for (var step = 0; step < 3; step++) ort.Step(parameters, Gradients.Spanning(n, step), a);
        using var stream = new MemoryStream();
        a.Save(stream);
        stream.Position = 0;
        using var b = fused.CreateState(n);
        b.Load(stream);
        for (var s = 0; s < a.Specs.Count; s++) Assert.Equal(a.Read(s), b.Read(s));
    }

    [Fact]
    public void AnotherModelsOrAnotherNsCheckpointIsRefusedAndTheStateKept()
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { IntraOpThreads = 1 });
        using var other = LearnedOptimizer.Load(LstmModels.Bytes(seed: 8), new LearnedOptimizerOptions { IntraOpThreads = 1 });
        using var temp = new TempDirectory();
        using var foreign = other.CreateState(50);
        foreign.Save(temp.File("foreign.l2ls"));
        using var small = optimizer.CreateState(49);
        small.Save(temp.File("small.l2ls"));
        using var grouped = optimizer.CreateState(("a", 25), ("b", 25));
        grouped.Save(temp.File("grouped.l2ls"));

        using var state = optimizer.CreateState(50);
        var parameters = ChunkingTests.Parameters(50);
        optimizer.Step(parameters, Gradients.Spanning(50, 1), state);
        var before = Snapshot(state);

        Assert.Contains("another model", Assert.Throws<InvalidDataException>(() => state.Load(temp.File("foreign.l2ls"))).Message);
        Assert.Contains("N = 49", Assert.Throws<InvalidDataException>(() => state.Load(temp.File("small.l2ls"))).Message);
        Assert.Contains("a: 25, b: 25", Assert.Throws<InvalidDataException>(() => state.Load(temp.File("grouped.l2ls"))).Message);
        AssertUnchanged(before, state);
    }

    [Fact]
    public void ACorruptOrTruncatedCheckpointIsRefusedAndTheStateKept()
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { IntraOpThreads = 1 });
        using var temp = new TempDirectory();
        using var state = optimizer.CreateState(64);
        var parameters = ChunkingTests.Parameters(64);
        optimizer.Step(parameters, Gradients.Spanning(64, 3), state);
        var path = temp.File("state.l2ls");
        state.Save(path);
        var good = File.ReadAllBytes(path);
        optimizer.Step(parameters, Gradients.Spanning(64, 4), state);
        var before = Snapshot(state);

        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => state.Load(path)).Message);

        File.WriteAllBytes(path, good[..^40]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => state.Load(path)).Message);

        File.WriteAllBytes(path, "not a checkpoint at all"u8.ToArray());
        Assert.Contains("not an L2LOnnx optimizer-state checkpoint", Assert.Throws<InvalidDataException>(() => state.Load(path)).Message);

        var newer = (byte[])good.Clone();
        newer[8] = 2;
        File.WriteAllBytes(path, newer);
        Assert.Contains("version 2", Assert.Throws<InvalidDataException>(() => state.Load(path)).Message);
        AssertUnchanged(before, state);
    }

    [Fact]
    public void SavingOverAnExistingCheckpointReplacesItWhole()
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { IntraOpThreads = 1 });
        using var temp = new TempDirectory();
        var path = temp.File("state.l2ls");
        using var state = optimizer.CreateState(10);
        state.Save(path);
        var parameters = ChunkingTests.Parameters(10);
        optimizer.Step(parameters, Gradients.Spanning(10, 1), state);
        state.Save(path);
        using var restored = optimizer.CreateState(10);
        restored.Load(path);
        Assert.Equal(1, restored.Steps);
        Assert.Equal(state.Read(0), restored.Read(0));
    }

    [Fact]
    public void AStateMovesBetweenEnginesOfTheSameModel()
    {
        var bytes = LstmModels.Bytes();
        using var ort = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1 });
        using var fused = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.Fused, IntraOpThreads = 1 });
        const int n = 90;
        using var moving = fused.CreateState(n);
        using var staying = ort.CreateState(n);
        var a = ChunkingTests.Parameters(n);
        var b = (float[])a.Clone();
        for (var step = 0; step < 6; step++)
        {
            var grad = Gradients.Spanning(n, step);
            (step % 2 == 0 ? fused : ort).Step(a, grad, moving);
            ort.Step(b, grad, staying);
        }
        Assert.True(LstmModels.MaxDifference(b, a) <= 1e-6);
        for (var s = 0; s < moving.Specs.Count; s++) Assert.True(LstmModels.MaxDifference(staying.Read(s), moving.Read(s)) <= 1e-5);
    }

    [Theory]
    [InlineData(OptimizerEngine.Fused)]
    [InlineData(OptimizerEngine.OnnxRuntime)]
    public void ResetReturnsToTheInitialState(OptimizerEngine engine)
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { Engine = engine, IntraOpThreads = 1 });
        const int n = 40;
        using var state = optimizer.CreateState(n);
        var parameters = ChunkingTests.Parameters(n);
        var update = new float[n];
        optimizer.ComputeUpdate(Gradients.Spanning(n, 1), state, update);
        var first = (float[])update.Clone();
        optimizer.Step(parameters, Gradients.Spanning(n, 2), state);
        state.Reset();
        Assert.Equal(0, state.Steps);
        Assert.All(state.Read(0), v => Assert.Equal(0f, v));
        optimizer.ComputeUpdate(Gradients.Spanning(n, 1), state, update);
        Assert.Equal(first, update);
    }

    internal static (long Steps, float[][] Values) Snapshot(OptimizerState state) =>
        (state.Steps, Enumerable.Range(0, state.Specs.Count).Select(state.Read).ToArray());

    internal static void AssertUnchanged((long Steps, float[][] Values) before, OptimizerState state)
    {
        Assert.Equal(before.Steps, state.Steps);
        for (var s = 0; s < state.Specs.Count; s++) Assert.Equal(before.Values[s], state.Read(s));
    }
}
