using Google.Protobuf;
using L2LOnnx.Train.Inspection;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using Onnx;
using TorchSharp;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>What <c>l2l inspect</c> reports.</summary>
public sealed class ModelInspectionTests
{
    [Fact]
    public void DescribesAnExportedOptimizer()
    {
        using var temp = new TempDirectory();
        var path = Export(temp, out _);

        var inspection = ModelInspection.Of(path);
        var text = new StringWriter();
        inspection.Write(text);

        Assert.NotNull(inspection.Contract);
        Assert.Equal(6, inspection.Contract!.States.Count);
        Assert.Equal(3, inspection.Operators.Single(o => o.Key == "LSTM").Value);
        Assert.True(inspection.WeightsHashMatches);
        Assert.True(inspection.MetadataHashMatches);
        Assert.Contains("inputs, outputs and metadata match l2l.metadata_sha256", text.ToString());
        Assert.StartsWith("fused CPU engine", inspection.Engine);
        Assert.Contains("because recognised as the LSTM optimizer family", inspection.Engine);
        Assert.NotNull(inspection.Import);
        Assert.Contains("l2l.trained_on = quadratic-10d", text.ToString());
        Assert.Contains("contract v1   yes", text.ToString());
    }

    [Fact]
    public void NoticesWeightsChangedAfterExport()
    {
        using var temp = new TempDirectory();
        var path = Export(temp, out var model);
        var bias = model.Graph.Initializer.Single(t => t.Name == "output_B");
        bias.RawData = ByteString.CopyFrom(BitConverter.GetBytes(0.5f));
        File.WriteAllBytes(path, model.ToByteArray());

        Assert.False(ModelInspection.Of(path).WeightsHashMatches);
    }

    [Fact]
    public void NoticesMetadataChangedAfterExport()
    {
        using var temp = new TempDirectory();
        var path = Export(temp, out var model);
        model.MetadataProps.Single(m => m.Key == "l2l.trained_on").Value = "something else";
        File.WriteAllBytes(path, model.ToByteArray());

        var inspection = ModelInspection.Of(path);
        Assert.True(inspection.WeightsHashMatches);
        Assert.False(inspection.MetadataHashMatches);
        Assert.Contains("'l2l.metadata_sha256'", inspection.ContractError);
    }

    [Fact]
    public void ExplainsWhyAFileIsNotAnOptimizerOrDoesNotImport()
    {
        using var temp = new TempDirectory();
        var noFormat = temp.File("no-format.onnx");
        File.WriteAllBytes(noFormat, new HandBuiltModel { WithFormatMetadata = false }.ToBytes());
        var hand = temp.File("hand.onnx");
        File.WriteAllBytes(hand, new HandBuiltModel().ToBytes());

        var refused = ModelInspection.Of(noFormat);
        var foreign = ModelInspection.Of(hand);

        Assert.Null(refused.Contract);
        Assert.Contains("l2l.format", refused.ContractError);
        Assert.NotNull(foreign.Contract);
        Assert.Null(foreign.Import);
        Assert.Contains("l2l.architecture", foreign.ImportError);
        Assert.StartsWith("fused CPU engine: compiled program", foreign.Engine);
        Assert.Equal(new[] { "Add", "Mul" }, foreign.Operators.Select(o => o.Key).Order());
    }

    private static string Export(TempDirectory temp, out ModelProto model)
    {
        torch.random.manual_seed(4);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(3, 5, 10.0, 0.1));
        model = LstmOptimizerExporter.Build(network, new ExportMetadata { TrainedOn = "quadratic-10d" });
        var path = temp.File("model.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
