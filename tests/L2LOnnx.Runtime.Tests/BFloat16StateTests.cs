using L2LOnnx.Runtime;

namespace L2LOnnx.Runtime.Tests;

/// <summary>
/// <see cref="StatePrecision.BFloat16"/>: the fused engine stores the state in half the memory, every
/// stored value is a bfloat16, the arithmetic stays float32, checkpoints move to and from float32
/// states, and steps allocate nothing.
/// </summary>
public sealed class BFloat16StateTests
{
    private static readonly LearnedOptimizerOptions Half = new() { IntraOpThreads = 2, StatePrecision = StatePrecision.BFloat16 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheStateTakesHalfTheMemoryAndStaysCloseToFloat32(bool compiledProgram)
    {
        var bytes = compiledProgram ? new HandBuiltModel().ToBytes() : LstmModels.Bytes();
        using var full = LearnedOptimizer.Load(bytes, Half with { StatePrecision = StatePrecision.Float32 });
        using var half = LearnedOptimizer.Load(bytes, Half);
        Assert.Contains("bfloat16 state", half.EngineDescription);
        const int n = 1000;
        using var a = full.CreateState(n);
        using var b = half.CreateState(n);
        Assert.Equal((a.Current(0).Length + 1) / 2, b.Current(0).Length);

        var (ua, ub) = (new float[n], new float[n]);
        double worst = 0, largest = 0;
        for (var step = 0; step < 20; step++)
        {
            var grad = Gradients.Spanning(n, step);
            full.ComputeUpdate(grad, a, ua);
            half.ComputeUpdate(grad, b, ub);
            for (var i = 0; i < n; i++)
            {
                worst = Math.Max(worst, Math.Abs(ua[i] - ub[i]));
                largest = Math.Max(largest, Math.Abs(ua[i]));
            }
        }
        foreach (var value in b.Read(0)) Assert.Equal(0u, BitConverter.SingleToUInt32Bits(value) & 0xFFFF);
        // bfloat16 keeps 8 bits of mantissa: updates drift by a few percent of their size, not more.
        Assert.True(worst <= 0.05 * largest, $"largest update difference {worst:E2} against updates up to {largest:E2}");
        if (compiledProgram) Assert.Equal(a.Read(0), b.Read(0));
    }

    [Fact]
    public void ACheckpointMovesBetweenBFloat16AndFloat32States()
    {
        var bytes = LstmModels.Bytes();
        using var full = LearnedOptimizer.Load(bytes, Half with { StatePrecision = StatePrecision.Float32 });
        using var half = LearnedOptimizer.Load(bytes, Half);
        using var temp = new TempDirectory();
        const int n = 300;
        var parameters = ChunkingTests.Parameters(n);
        using var stepped = half.CreateState(n);
        for (var step = 0; step < 5; step++) half.Step(parameters, Gradients.Spanning(n, step), stepped);
        var path = temp.File("half.l2ls");
        stepped.Save(path);

        using var restored = full.CreateState(n);
        restored.Load(path);
        for (var s = 0; s < stepped.Specs.Count; s++) Assert.Equal(stepped.Read(s), restored.Read(s));
        using var again = half.CreateState(n);
        again.Load(path);
        for (var s = 0; s < stepped.Specs.Count; s++) Assert.Equal(stepped.Read(s), again.Read(s));
    }

    [Fact]
    public void StepsAllocateNothingAfterWarmUp()
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), Half);
        const int n = 5_000;
        using var state = optimizer.CreateState(n);
        var parameters = ChunkingTests.Parameters(n);
        var grad = Gradients.Spanning(n, 1);
        optimizer.Step(parameters, grad, state);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var step = 0; step < 50; step++) optimizer.Step(parameters, grad, state);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
