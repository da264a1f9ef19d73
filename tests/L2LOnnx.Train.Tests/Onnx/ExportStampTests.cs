using Google.Protobuf;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Runtime.Onnx.Writing;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using Onnx;
using TorchSharp;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>
/// Every exporter brackets its metadata: <c>l2l.weights_sha256</c> first, <c>l2l.metadata_sha256</c> last
/// (issue 11, finding 7), so a file cut anywhere in its metadata is refused at load.
/// </summary>
public sealed class ExportStampTests
{
    [Fact]
    public void AnLstmExportIsStamped()
    {
        torch.random.manual_seed(3);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1));
        AssertStamped(LstmOptimizerExporter.Build(network, new ExportMetadata { TrainedOn = "a", Details = new Dictionary<string, string> { ["meta.note"] = "x" } }).ToByteArray());
    }

    [Fact]
    public void AnMlpExportIsStamped()
    {
        torch.random.manual_seed(3);
        using var network = new MlpOptimizer(MlpOptimizerConfig.Default);
        AssertStamped(MlpOptimizerExporter.Build(network, new ExportMetadata { TrainedOn = "a" }).ToByteArray());
    }

    [Fact]
    public void EveryGroupsFileIsStamped()
    {
        using var temp = new TempDirectory();
        torch.random.manual_seed(3);
        using var conv = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1));
        using var fc = new LstmOptimizer(new LstmOptimizerConfig(1, 3, null, 0.1));
        var paths = LstmOptimizerExporter.SaveGroups(new Dictionary<string, LstmOptimizer> { ["conv"] = conv, ["fc"] = fc }, temp.Path, "net", new ExportMetadata());
        foreach (var path in paths.Values) AssertStamped(File.ReadAllBytes(path));
    }

    [Fact]
    public void AMetadataHashCannotBePassedAsADetail()
    {
        torch.random.manual_seed(3);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1));
        var e = Assert.Throws<ArgumentException>(() => LstmOptimizerExporter.Build(network, new ExportMetadata { Details = new Dictionary<string, string> { ["metadata_sha256"] = "0" } }));
        Assert.Contains("l2l.metadata_sha256", e.Message);
    }

    private static void AssertStamped(byte[] bytes)
    {
        var model = OnnxModelReader.Read(bytes);
        Assert.Equal(ContractV1.WeightsHashKey, model.Metadata.Keys.First());
        Assert.Equal(ContractV1.MetadataHashKey, model.Metadata.Keys.Last());
        Assert.Equal(MetadataHash.Compute(model), model.Metadata[ContractV1.MetadataHashKey]);
        Assert.Same(bytes, ModelStamp.Stamp(bytes));
        using var optimizer = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1 });
    }
}
