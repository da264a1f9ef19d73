using Google.Protobuf;
using L2LOnnx.Runtime;
using Onnx;

namespace L2LOnnx.Runtime.Tests;

/// <summary>Every kind of bad input gets an error that names it, and changes nothing.</summary>
public sealed class BadInputTests
{
    private static readonly LearnedOptimizerOptions OneThread = new() { IntraOpThreads = 1 };

    [Fact]
    public void BytesThatAreNotOnnxAreRefusedBeforeOnnxRuntime()
    {
        var e = Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load("this is not a model"u8.ToArray(), OneThread));
        Assert.Contains("not a readable ONNX model", e.Message);
        Assert.IsType<L2LOnnx.Runtime.Onnx.OnnxFormatException>(e.InnerException);
    }

    [Fact]
    public void ATruncatedFileIsRefused()
    {
        var bytes = LstmModels.Bytes();
        var e = Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(bytes[..(bytes.Length * 2 / 3)], OneThread));
        Assert.Contains("not a readable ONNX model (not ONNX, or truncated)", e.Message);
    }

    [Fact]
    public void AContractBreachIsNamed()
    {
        var e = Refused(m => m.MetadataProps.Remove(m.MetadataProps.Single(p => p.Key == "l2l.format")));
        Assert.Contains("'l2l.format' is absent", e.Message);
        e = Refused(m => m.Graph.Input[0].Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimValue = 5 });
        Assert.Contains("fixed N = 5", e.Message);
    }

    [Fact]
    public void ACustomOperatorDomainIsRefused()
    {
        var e = Refused(m => m.Graph.Node[0].Domain = "com.microsoft");
        Assert.Contains("operator domain 'com.microsoft'", e.Message);
    }

    [Fact]
    public void ExternalDataIsRefused()
    {
        var e = Refused(m =>
        {
            var w = m.Graph.Initializer.Single(t => t.Name == "lstm0_W");
            w.RawData = ByteString.Empty;
            w.DataLocation = TensorProto.Types.DataLocation.External;
            w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        });
        Assert.Contains("initializer 'lstm0_W' stores its data outside the file (in 'weights.bin')", e.Message);
    }

    [Fact]
    public void AbsurdSizesAreRefused()
    {
        var e = Refused(m =>
        {
            var huge = new TensorProto { Name = "huge", DataType = (int)TensorProto.Types.DataType.Float };
            huge.Dims.Add(1L << 28);
            m.Graph.Initializer.Add(huge);
        });
        Assert.Contains("more than 16,777,216 elements (at 'huge'", e.Message);

        e = Refused(m =>
        {
            m.Graph.Input[1].Type.TensorType.Shape.Dim[1] = new TensorShapeProto.Types.Dimension { DimValue = 1 << 20 };
        });
        Assert.Contains("1048576 floats of state per coordinate", e.Message);
    }

    [Fact]
    public void AMissingCudaProviderNamesTheGpuPackage()
    {
        var e = Assert.Throws<NotSupportedException>(() =>
            LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { ExecutionProvider = ExecutionProvider.Cuda }));
        Assert.Contains("CUDA execution provider is not available", e.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", e.Message);
    }

    [Fact]
    public void AGraphTheFusedEngineDoesNotKnowFallsBackToOnnxRuntimeOrFailsWhenFusedIsRequired()
    {
        var model = ModelProto.Parser.ParseFrom(LstmModels.Bytes());
        // Pow by the output scale (0.1) is neither the LSTM pattern nor a power the fused compiler implements.
        model.Graph.Node.Single(n => n.Name == "update").OpType = "Pow";
        var bytes = model.ToByteArray();
        using var auto = LearnedOptimizer.Load(bytes, OneThread);
        Assert.Equal(OptimizerEngine.OnnxRuntime, auto.Engine);
        Assert.Contains("node Pow (update) raises to the power 0.1", auto.EngineReason);
        Assert.Contains("'update' is computed by Pow (update), expected Mul", auto.EngineReason);
        var e = Assert.Throws<NotSupportedException>(() => LearnedOptimizer.Load(bytes, OneThread with { Engine = OptimizerEngine.Fused }));
        Assert.Contains("fused engine was requested", e.Message);
    }

    [Theory]
    [InlineData(OptimizerEngine.Fused)]
    [InlineData(OptimizerEngine.OnnxRuntime)]
    public void ANonFiniteGradientRefusesTheStepAndChangesNothing(OptimizerEngine engine)
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), OneThread with { Engine = engine });
        const int n = 100;
        using var state = optimizer.CreateState(n);
        var parameters = ChunkingTests.Parameters(n);
        optimizer.Step(parameters, Gradients.Spanning(n, 1), state);
        var before = CheckpointTests.Snapshot(state);
        var parametersBefore = (float[])parameters.Clone();

        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var grad = Gradients.Spanning(n, 2);
            grad[42] = bad;
            var e = Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, grad, state));
            Assert.Contains($"gradient[42] is {bad}", e.Message);
            var update = new float[n];
            Assert.Throws<ArgumentException>(() => optimizer.ComputeUpdate(grad, state, update));
            Assert.All(update, u => Assert.Equal(0f, u));
        }
        Assert.Equal(parametersBefore, parameters);
        CheckpointTests.AssertUnchanged(before, state);
    }

    [Theory]
    [InlineData(OptimizerEngine.Fused)]
    [InlineData(OptimizerEngine.OnnxRuntime)]
    public void SkipCoordinatesStepsTheOthersAndKeepsTheBadOnes(OptimizerEngine engine)
    {
        var options = OneThread with { Engine = engine, NonFiniteGradients = NonFiniteGradientPolicy.SkipCoordinates };
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), options);
        const int n = 70;
        using var skipping = optimizer.CreateState(n);
        using var reference = optimizer.CreateState(n);
        var parameters = ChunkingTests.Parameters(n);
        optimizer.Step(parameters, Gradients.Spanning(n, 1), skipping);
        optimizer.Step((float[])parameters.Clone(), Gradients.Spanning(n, 1), reference);
        var before = CheckpointTests.Snapshot(skipping);
        var referenceParameters = (float[])parameters.Clone();

        var grad = Gradients.Spanning(n, 2);
        optimizer.Step(referenceParameters, grad, reference);
        grad[3] = float.NaN;
        grad[40] = float.NegativeInfinity;
        var stepped = (float[])parameters.Clone();
        optimizer.Step(stepped, grad, skipping);

        for (var i = 0; i < n; i++)
            Assert.Equal(i is 3 or 40 ? parameters[i] : referenceParameters[i], stepped[i]);
        for (var s = 0; s < skipping.Specs.Count; s++)
        {
            var width = skipping.Specs[s].Width;
            var now = skipping.Read(s);
            var expected = reference.Read(s);
            for (var i = 0; i < n; i++)
                Assert.Equal((i is 3 or 40 ? before.Values[s] : expected).AsSpan(i * width, width).ToArray(), now.AsSpan(i * width, width).ToArray());
        }
    }

    [Theory]
    [InlineData(OptimizerEngine.Fused)]
    [InlineData(OptimizerEngine.OnnxRuntime)]
    public void MismatchedLengthsAndForeignStatesAreErrorsThatChangeNothing(OptimizerEngine engine)
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), OneThread with { Engine = engine });
        using var other = LearnedOptimizer.Load(LstmModels.Bytes(seed: 8), OneThread with { Engine = engine });
        const int n = 64;
        using var state = optimizer.CreateState(n);
        using var foreign = other.CreateState(n);
        var parameters = ChunkingTests.Parameters(n);
        optimizer.Step(parameters, Gradients.Spanning(n, 1), state);
        var before = CheckpointTests.Snapshot(state);
        var parametersBefore = (float[])parameters.Clone();
        var grad = Gradients.Spanning(n, 2);

        Assert.Contains("parameters has 63 entries but the state was created for 64",
            Assert.Throws<ArgumentException>(() => optimizer.Step(parameters.AsSpan(1), grad, state)).Message);
        Assert.Contains("gradients has 65 entries",
            Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, Gradients.Spanning(n + 1, 2), state)).Message);
        Assert.Contains("update has 10 entries",
            Assert.Throws<ArgumentException>(() => optimizer.ComputeUpdate(grad, state, new float[10])).Message);
        Assert.Contains("different optimizer model",
            Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, grad, foreign)).Message);
        Assert.Equal(parametersBefore, parameters);
        CheckpointTests.AssertUnchanged(before, state);
    }

    [Fact]
    public void GroupErrorsNameTheTensorAndChangeNothing()
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), OneThread);
        using var state = optimizer.CreateState(("w", 30), ("b", 3));
        float[][] parameters = [ChunkingTests.Parameters(30), ChunkingTests.Parameters(3)];
        float[][] grads = [Gradients.Spanning(30, 1), Gradients.Spanning(3, 2)];
        optimizer.Step(parameters, grads, state);
        var before = CheckpointTests.Snapshot(state);
        var parametersBefore = parameters.Select(p => (float[])p.Clone()).ToArray();

        Assert.Contains("gradients has 1 tensors but the state was created for 2",
            Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, [grads[0]], state)).Message);
        Assert.Contains("parameters[1] ('b') has 4 entries but the state expects 3",
            Assert.Throws<ArgumentException>(() => optimizer.Step([parameters[0], new float[4]], grads, state)).Message);
        var bad = new[] { grads[0], new[] { 0f, float.NaN, 1f } };
        Assert.Contains("gradient of tensor 'b' (#1) at [1] is NaN",
            Assert.Throws<ArgumentException>(() => optimizer.Step(parameters, bad, state)).Message);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => optimizer.CreateState(("x", 1), ("x", 2))).Message);
        for (var t = 0; t < parameters.Length; t++) Assert.Equal(parametersBefore[t], parameters[t]);
        CheckpointTests.AssertUnchanged(before, state);
    }

    private static ContractViolationException Refused(Action<ModelProto> damage)
    {
        var model = ModelProto.Parser.ParseFrom(LstmModels.Bytes());
        damage(model);
        return Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(model.ToByteArray(), OneThread));
    }
}
