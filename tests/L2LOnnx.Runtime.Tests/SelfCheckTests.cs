using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Engines;
using L2LOnnx.Runtime.Engines.Fused;

namespace L2LOnnx.Runtime.Tests;

/// <summary>The load-time self-check accepts the fused engine as built, and catches small deviations from ONNX Runtime.</summary>
public sealed class SelfCheckTests
{
    [Fact]
    public void TheProbeBatchCatchesAWrongBiasOrThreshold()
    {
        var bytes = LstmModels.Bytes();
        var (onnx, contract) = ModelPrecheck.Check(bytes);
        var model = LstmGraphRecognizer.TryRecognize(onnx, contract, out var reason);
        Assert.True(model is not null, reason);
        var pre = model.Preprocessing!;
        var wrongBias = new FusedLstmModel(pre, model.Layers, model.OutputWeight, model.OutputBias + 1e-3f, model.OutputScale);
        var wrongThreshold = new FusedLstmModel(pre with { Threshold = pre.Threshold * 1.5f }, model.Layers, model.OutputWeight, model.OutputBias, model.OutputScale);

        using var ort = new OrtEngine(bytes, new LearnedOptimizerOptions { IntraOpThreads = 1 });
        var differences = new[] { model, wrongBias, wrongThreshold }.Select(candidate =>
        {
            using var fused = new FusedEngine(FusedKernel.ForLstm(candidate), threads: 1);
            return EngineSelfCheck.Compare(fused, ort, contract, new string('0', 64), 3 * fused.BlockWidth + 7, candidate.Preprocessing!.Threshold);
        }).ToArray();
        Assert.True(differences[0] <= EngineSelfCheck.Tolerance && differences[1] > EngineSelfCheck.Tolerance && differences[2] > EngineSelfCheck.Tolerance,
            $"differences: as built {differences[0]:E2}, wrong bias {differences[1]:E2}, wrong threshold {differences[2]:E2}");
    }

    /// <summary>
    /// The AVX2 and portable kernels, which this AVX-512 machine would not pick, agree with ONNX Runtime
    /// too, in place, double-buffered, and double-buffered with the cells written by non-temporal
    /// stores (which only states beyond the caches get otherwise).
    /// </summary>
    [Theory]
    [InlineData(512, false, FusedEngine.DefaultStreamingBytes)]
    [InlineData(512, true, FusedEngine.DefaultStreamingBytes)]
    [InlineData(512, false, 0L)]
    [InlineData(256, false, 0L)]
    [InlineData(0, false, 0L)]
    public void EveryVectorWidthAgreesWithOnnxRuntime(int widest, bool inPlace, long streamingBytes)
    {
        foreach (var (layers, hidden, p) in new[] { (2, 20, (double?)10.0), (1, 7, null), (3, 5, 5.0) })
        {
            var bytes = LstmModels.Bytes(layers, hidden, p, scale: 0.1);
            var (onnx, contract) = ModelPrecheck.Check(bytes);
            var model = LstmGraphRecognizer.TryRecognize(onnx, contract, out var reason);
            Assert.True(model is not null, reason);
            using var ort = new OrtEngine(bytes, new LearnedOptimizerOptions { IntraOpThreads = 1 });
            using var fused = new FusedEngine(FusedKernel.ForLstm(model, widest), threads: 2, inPlace: inPlace, streamingBytes: streamingBytes);
            var difference = EngineSelfCheck.Compare(fused, ort, contract, new string('0', 64), 5 * fused.BlockWidth + 3, model.Preprocessing?.Threshold ?? 1e-4f);
            Assert.True(difference <= EngineSelfCheck.Tolerance, $"{fused.Description}: difference {difference:E2}");
        }
    }
}
