using L2LOnnx.Train.Conformance;
using L2LOnnx.Train.Inspection;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using TorchSharp;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>Conformance vectors: recorded by ONNX Runtime, cross-checked by TorchSharp, replayed by the runtime.</summary>
public sealed class ConformanceTests
{
    [Fact]
    public void VectorsOfThePapersNetworkReplayAndStayCompact()
    {
        using var temp = new TempDirectory();
        var model = Export(temp, new LstmOptimizerConfig(2, 20, 10.0, 0.1));
        var path = ConformanceFile.DefaultPath(model);

        var written = ModelConformance.Write(model, path);
        var reports = ModelConformance.Check(path);

        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.True(r.Passed && r.NotRun is null, r.ToString()));
        Assert.Contains(reports, r => r.Engine.StartsWith("fused CPU engine", StringComparison.Ordinal));
        Assert.Contains(reports, r => r.Engine.StartsWith("ONNX Runtime", StringComparison.Ordinal));
        Assert.Equal(20, written.Steps.Count);
        Assert.Equal(new[] { 1, 10, 20 }, written.Steps.Select((s, i) => (s, i + 1)).Where(x => x.s.StateAfter is not null).Select(x => x.Item2));
        Assert.NotNull(written.CrossCheck?.LargestDifference);
        Assert.True(written.CrossCheck!.LargestDifference <= 1e-5, $"TorchSharp cross-check {written.CrossCheck.LargestDifference}");
        var size = new FileInfo(path).Length;
        Assert.True(size < 300_000, $"vectors of a 2x20 network take {size} bytes");
    }

    [Fact]
    public void GradientsSpanEveryBranchOfThePreprocessing()
    {
        var threshold = GradientPreprocessing.Threshold(10);
        var gradients = new ConformanceGradients(threshold, seed: 1);
        var all = new List<float>();
        var step = new float[64];
        for (var t = 1; t <= 20; t++)
        {
            gradients.Next(t, step);
            all.AddRange(step);
        }
        var magnitudes = all.Select(MathF.Abs).ToList();

        Assert.Contains(0f, magnitudes);
        Assert.Contains(magnitudes, m => m > 0 && m < threshold * 0.5f);
        Assert.Contains(threshold, magnitudes);
        Assert.Contains(MathF.BitDecrement(threshold), magnitudes);
        Assert.Contains(MathF.BitIncrement(threshold), magnitudes);
        Assert.Contains(magnitudes, m => m > 100);
        Assert.Contains(all, g => g < 0);
        Assert.Contains(all, g => g > 0);
    }

    [Fact]
    public void ATamperedValueFailsTheCheckAndIsLocated()
    {
        using var temp = new TempDirectory();
        var model = Export(temp, new LstmOptimizerConfig(1, 6, 10.0, 0.1));
        var path = ConformanceFile.DefaultPath(model);
        var vectors = ModelConformance.Write(model, path, new ConformanceSettings { Coordinates = 16, Steps = 6, StateEvery = 3 });
        var update = vectors.Steps[4].Update;
        update[7] += 1e-3f;
        ConformanceFile.Save(vectors, path);

        var reports = ModelConformance.Check(path);

        Assert.All(reports, r => Assert.False(r.Passed, r.ToString()));
        var report = reports[0];
        Assert.Equal((5, "update", 7), (report.Step, report.Value, report.Index));
        Assert.InRange(report.Difference, 9e-4, 1.1e-3);
        Assert.Contains("FAILED", report.ToString());
    }

    [Fact]
    public void VectorsAreRefusedForAnotherModel()
    {
        using var temp = new TempDirectory();
        var model = Export(temp, new LstmOptimizerConfig(1, 6, 10.0, 0.1));
        var other = Export(temp, new LstmOptimizerConfig(1, 6, 10.0, 0.2), "other.onnx");
        var path = ConformanceFile.DefaultPath(model);
        ModelConformance.Write(model, path, new ConformanceSettings { Coordinates = 8, Steps = 2 });

        var error = Assert.Throws<InvalidDataException>(() => ModelConformance.Check(path, other));

        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public void JsonRoundTripIsExact()
    {
        using var temp = new TempDirectory();
        var model = Export(temp, new LstmOptimizerConfig(2, 3, 10.0, 0.1));
        var vectors = ModelConformance.Write(model, temp.File("v.json"), new ConformanceSettings { Coordinates = 24, Steps = 5, StateEvery = 2 });

        var parsed = ConformanceFile.Load(temp.File("v.json"));

        Assert.Equal(vectors.ModelSha256, parsed.ModelSha256);
        Assert.Equal(vectors.States, parsed.States);
        Assert.Equal(vectors.CrossCheck, parsed.CrossCheck);
        for (var i = 0; i < vectors.Steps.Count; i++)
        {
            Assert.Equal(Bits(vectors.Steps[i].Grad), Bits(parsed.Steps[i].Grad));
            Assert.Equal(Bits(vectors.Steps[i].Update), Bits(parsed.Steps[i].Update));
            Assert.Equal(vectors.Steps[i].StateAfter is null, parsed.Steps[i].StateAfter is null);
            foreach (var (name, values) in vectors.Steps[i].StateAfter ?? new Dictionary<string, float[]>())
                Assert.Equal(Bits(values), Bits(parsed.Steps[i].StateAfter![name]));
        }
    }

    [Fact]
    public void AModelOutsideTheLstmFamilyGetsVectorsWithoutCrossCheck()
    {
        using var temp = new TempDirectory();
        var model = temp.File("hand.onnx");
        File.WriteAllBytes(model, new HandBuiltModel().ToBytes());
        var path = ConformanceFile.DefaultPath(model);

        var vectors = ModelConformance.Write(model, path, new ConformanceSettings { Coordinates = 8, Steps = 3 });

        Assert.Null(vectors.CrossCheck!.LargestDifference);
        Assert.Contains("does not import", vectors.CrossCheck.Skipped);
        var reports = ModelConformance.Check(path);
        Assert.True(reports[0].Passed && reports[0].NotRun is null, reports[0].ToString());
        Assert.True(reports[1].Passed && reports[1].NotRun is null, reports[1].ToString());
        Assert.Equal(3f, vectors.Steps[^1].StateAfter!["state_count"][0]);
        Assert.Equal(-0.1f * vectors.Steps[0].Grad[5], vectors.Steps[0].Update[5]);
    }

    [Fact]
    public void MalformedVectorsAreRefusedWithWhatIsWrong()
    {
        var error = Assert.Throws<InvalidDataException>(() => ConformanceFile.Parse("""{"format":"l2l-conformance/1","coordinates":2,"states":{},"steps":[{"grad":[1],"update":[0,0]}]}"""));
        Assert.Contains("'grad' must be an array of 2 numbers", error.Message);
        error = Assert.Throws<InvalidDataException>(() => ConformanceFile.Parse("""{"format":"other/9"}"""));
        Assert.Contains("other/9", error.Message);
    }

    private static string Export(TempDirectory temp, LstmOptimizerConfig config, string name = "model.onnx")
    {
        torch.random.manual_seed(13);
        using var network = new LstmOptimizer(config);
        var path = temp.File(name);
        LstmOptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "test" });
        return path;
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
