using L2LOnnx.Runtime.Engines;
using Onnx;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>
/// Finding 1 of issue 11: no file outside the model is ever opened. External data is refused wherever
/// it hides, and ONNX Runtime itself is pointed at a folder that does not exist, so that even a
/// reference the precheck missed could not read the working directory.
/// </summary>
public sealed class ExternalDataTests
{
    private static readonly LearnedOptimizerOptions OneThread = new() { IntraOpThreads = 1 };

    public static TheoryData<string, byte[]> Hiding(string location) => new()
    {
        { "Constant value", HostileModels.WithConstant(HostileModels.ExternalValue(location)) },
        { "Constant tensors (attribute field 10)", HostileModels.WithConstant(HostileModels.ExternalValue(location, field: 10)) },
        { "sparse_value values (field 22)", HostileModels.WithConstant(HostileModels.SparseValue(location)) },
        { "sparse_value indices (field 22)", HostileModels.WithConstant(HostileModels.SparseValue(location, externalIndices: true)) },
        { "sparse_tensors values (field 23)", HostileModels.WithConstant(HostileModels.SparseValue(location, field: 23)) },
        { "initializer with data_location only", InitializerWithLocationOnly() },
    };

    public static TheoryData<string, byte[]> Cases => Hiding("canary.bin");

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExternalDataAnywhereIsRefusedBeforeOnnxRuntime(string where, byte[] model)
    {
        var e = Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(model));
        Assert.True(e.Message.Contains("outside the file", StringComparison.Ordinal) || e.Message.Contains("sparse tensors", StringComparison.Ordinal), $"{where}: {e.Message}");
        Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(model, OneThread));
    }

    [Fact]
    public void ACanaryInTheWorkingDirectoryIsNeverRead()
    {
        // The finding's attack: a sparse Constant whose values are 'canary' in the working directory.
        var name = $"l2lonnx-canary-{Guid.NewGuid():N}.bin";
        var canary = Path.Combine(Directory.GetCurrentDirectory(), name);
        File.WriteAllBytes(canary, BitConverter.GetBytes(1000f));
        try
        {
            var model = HostileModels.WithConstant(HostileModels.SparseValue(name));
            Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(model, OneThread));

            // Defence in depth: ONNX Runtime, handed the file with the precheck bypassed, must not find the canary either.
            var e = Record.Exception(() =>
            {
                using var engine = new OrtEngine(model, OneThread);
                using var state = new OptimizerState(Contract(), [new ParameterSegment("", 0, 4)], "", engine.Layout);
                new float[] { 1, 1, 1, 1 }.CopyTo(state.Gradient.Span);
                engine.Step(state, hasNonFinite: false, checkOutputs: false);
                Assert.DoesNotContain(state.Update.Span[..4].ToArray(), u => Math.Abs(u) > 100);
            });
            // ONNX Runtime looks in the never-created folder and refuses; it must not have found the canary.
            Assert.IsType<ContractViolationException>(e);
            Assert.Contains("never-created", e.Message);
        }
        finally
        {
            File.Delete(canary);
        }
    }

    private static OptimizerContract Contract() => OptimizerContract.Check(
        [new TensorSignature("grad", "float", [null]), new TensorSignature("state_count", "float", [null, 1])],
        [new TensorSignature("update", "float", [null]), new TensorSignature("state_count_out", "float", [null, 1])],
        new Dictionary<string, string> { ["l2l.format"] = "1" });

    private static byte[] InitializerWithLocationOnly()
    {
        var model = HostileModels.Base();
        var lr = model.Graph.Initializer.Single(t => t.Name == "minus_lr");
        lr.FloatData.Clear();
        lr.DataLocation = TensorProto.Types.DataLocation.External;
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }
}
