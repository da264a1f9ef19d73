using L2LOnnx.Train.Conformance;
using L2LOnnx.Train.Inspection;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>
/// Every optimizer shipped in <c>models/</c> comes with its conformance vectors, replays them within
/// tolerance on every runtime engine, and passes the official ONNX checker.
/// </summary>
public sealed class ShippedModelConformanceTests
{
    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(ShippedModels.PathOf(""), "*.onnx").Order())
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Fact]
    public void TheRepositoryShipsModels() => Assert.NotEmpty(Models());

    [Theory]
    [MemberData(nameof(Models))]
    public void VectorsReplayOnEveryEngine(string model)
    {
        var modelPath = ShippedModels.PathOf(model);
        var vectors = Path.ChangeExtension(modelPath, ".conformance.json");
        Assert.True(File.Exists(vectors), $"models/{model} ships without {Path.GetFileName(vectors)}: run `l2l conformance write --model models/{model}`");

        var reports = ModelConformance.Check(vectors, modelPath);

        Assert.Contains(reports, r => r.NotRun is null);
        Assert.All(reports, r => Assert.True(r.Passed, r.ToString()));
        Assert.Contains(reports, r => r.NotRun is null && r.Engine.Contains("fused", StringComparison.OrdinalIgnoreCase));
    }

    [OnnxCheckerFact]
    public void EveryShippedModelPassesTheOfficialChecker()
    {
        var models = Directory.GetFiles(ShippedModels.PathOf(""), "*.onnx");
        var (exit, output, error) = DebianPython.Run(
            new[] { Path.Combine(DebianPython.RepositoryRoot(), "interop", "pytorch", "check_onnx.py") }.Concat(models).ToArray());
        Assert.True(exit == 0, $"check_onnx.py failed:\n{output}\n{error}");
    }
}
