using Google.Protobuf;
using L2LOnnx.Runtime.Onnx.Writing;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using Onnx;
using TorchSharp;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>ONNX -> TorchSharp: exact round trips, and clear refusals outside the LSTM family.</summary>
public sealed class ImportTests
{
    [Theory]
    [InlineData(2, 20, 10.0, 0.1)]
    [InlineData(1, 1, null, 1.0)]
    [InlineData(3, 7, 5.0, -0.01)]
    public void RoundTripKeepsEveryWeightBitForBit(int layers, int hidden, double? p, double scale)
    {
        torch.random.manual_seed(21);
        using var original = new LstmOptimizer(new LstmOptimizerConfig(layers, hidden, p, scale));
        var metadata = new ExportMetadata { TrainedOn = "quadratic-10d" };
        var bytes = LstmOptimizerExporter.Build(original, metadata).ToByteArray();

        using var imported = LstmOptimizerImporter.Import(bytes);

        Assert.Equal(original.Config, imported.Network.Config);
        var expected = original.named_parameters().ToDictionary(n => n.name, n => Bits(n.parameter));
        var actual = imported.Network.named_parameters().ToDictionary(n => n.name, n => Bits(n.parameter));
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, bits) in expected)
            Assert.True(bits.SequenceEqual(actual[name]), $"parameter {name} changed in the round trip");
        Assert.True(imported.VerifiedDifference <= LstmOptimizerImporter.Tolerance);
        // Exported again with the same metadata, the file is byte-identical.
        Assert.Equal(bytes, LstmOptimizerExporter.Build(imported.Network, metadata).ToByteArray());
    }

    [Fact]
    public void ReExportCarriesTheProvenance()
    {
        torch.random.manual_seed(2);
        using var original = new LstmOptimizer(new LstmOptimizerConfig(1, 5, 10.0, 0.1));
        var metadata = new ExportMetadata
        {
            TrainedOn = "mnist-mlp",
            Details = new Dictionary<string, string> { ["meta.trajectories"] = "500", ["meta.validation_loss"] = "0.231" },
        };
        using var imported = LstmOptimizerImporter.Import(LstmOptimizerExporter.Build(original, metadata).ToByteArray());

        var again = LstmOptimizerExporter.Build(imported.Network, imported.Provenance);

        var props = again.MetadataProps.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal("mnist-mlp", props["l2l.trained_on"]);
        Assert.Equal("500", props["l2l.meta.trajectories"]);
        Assert.Equal("0.231", props["l2l.meta.validation_loss"]);
        Assert.StartsWith("L2LOnnx ", props[LstmMetadataKeys.ImportedFrom]);
        Assert.Single(again.MetadataProps, m => m.Key == "l2l.weights_sha256");
    }

    [Fact]
    public void GroupsRoundTripByFileName()
    {
        using var temp = new TempDirectory();
        torch.random.manual_seed(5);
        using var conv = new LstmOptimizer(new LstmOptimizerConfig(2, 6, 10.0, 0.01));
        using var fc = new LstmOptimizer(new LstmOptimizerConfig(1, 4, null, 0.1));
        LstmOptimizerExporter.SaveGroups(new Dictionary<string, LstmOptimizer> { ["conv"] = conv, ["fc"] = fc }, temp.Path, "cifar", new ExportMetadata());

        var groups = LstmOptimizerImporter.ImportGroups(temp.Path, "cifar");
        try
        {
            Assert.Equal(new[] { "conv", "fc" }, groups.Keys.Order());
            Assert.Equal(conv.Config, groups["conv"].Network.Config);
            Assert.Equal(fc.Config, groups["fc"].Network.Config);
            Assert.True(Bits(conv.Output.weight!).SequenceEqual(Bits(groups["conv"].Network.Output.weight!)));
            Assert.Equal("fc", groups["fc"].Provenance.Group);
        }
        finally
        {
            foreach (var group in groups.Values) group.Dispose();
        }
    }

    [Theory]
    [InlineData("conv.1")]
    [InlineData("")]
    [InlineData("a/b")]
    public void GroupNamesThatCannotBeReadBackAreRefused(string group)
    {
        var error = Assert.Throws<ArgumentException>(() => LstmOptimizerExporter.GroupFileName("cifar", group));
        Assert.Contains("letters, digits", error.Message);
    }

    [Fact]
    public void AModelOutsideTheFamilyIsRefusedWithTheReason()
    {
        var error = Assert.Throws<OnnxImportException>(() => LstmOptimizerImporter.Import(new HandBuiltModel().ToBytes()));
        Assert.Contains("l2l.architecture", error.Message);

        var withArchitecture = ModelProto.Parser.ParseFrom(new HandBuiltModel().ToBytes());
        withArchitecture.MetadataProps.Add(new StringStringEntryProto { Key = "l2l.architecture", Value = "lstm-coordinatewise" });
        withArchitecture.MetadataProps.Add(new StringStringEntryProto { Key = "l2l.preprocessing", Value = "none" });
        withArchitecture.MetadataProps.Add(new StringStringEntryProto { Key = "l2l.output_scale", Value = "1" });
        error = Assert.Throws<OnnxImportException>(() => LstmOptimizerImporter.Import(withArchitecture.ToByteArray()));
        Assert.Contains("no LSTM node", error.Message);
    }

    [Fact]
    public void MetadataThatDoesNotDescribeTheGraphIsCaughtByRunningBoth()
    {
        torch.random.manual_seed(8);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(2, 8, 10.0, 0.1));
        var model = LstmOptimizerExporter.Build(network, new ExportMetadata());
        model.MetadataProps.Single(m => m.Key == LstmMetadataKeys.Preprocessing).Value = "log-sign p=5";
        // Stamped again, as by someone who made the edit on purpose: the hashes cannot tell, running both can.
        ModelStamp.Apply(model);

        var error = Assert.Throws<OnnxImportException>(() => LstmOptimizerImporter.Import(model.ToByteArray()));

        Assert.Contains("computes something else", error.Message);
    }

    [Fact]
    public void AnLstmWithClippingIsRefused()
    {
        torch.random.manual_seed(8);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(1, 3, 10.0, 0.1));
        var model = LstmOptimizerExporter.Build(network, new ExportMetadata());
        model.Graph.Node.Single(n => n.OpType == "LSTM").Attribute.Add(new AttributeProto { Name = "clip", Type = AttributeProto.Types.AttributeType.Float, F = 1f });

        var error = Assert.Throws<OnnxImportException>(() => LstmOptimizerImporter.Import(model.ToByteArray()));

        Assert.Contains("'clip'", error.Message);
    }

    [Fact]
    public void AStateWiredToTheWrongLayerIsRefused()
    {
        torch.random.manual_seed(8);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(2, 3, 10.0, 0.1));
        var model = LstmOptimizerExporter.Build(network, new ExportMetadata());
        var h0 = model.Graph.Node.Single(n => n.Name == "lstm0_h0");
        h0.Input[0] = "state_lstm1_h";

        var error = Assert.Throws<OnnxImportException>(() => LstmOptimizerImporter.Import(model.ToByteArray()));

        Assert.Contains("state_lstm1_h", error.Message);
    }

    [Fact]
    public void BytesThatAreNotOnnxAreRefused()
    {
        var error = Assert.Throws<OnnxImportException>(() => LstmOptimizerImporter.Import(new byte[] { 0xFF, 0xFF, 0xFF, 0x0F, 0x42 }));
        Assert.Contains("not an ONNX model", error.Message);
    }

    [Fact]
    public void DetailsMayNotOverwriteWhatTheExporterDerives()
    {
        torch.random.manual_seed(8);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(1, 3, 10.0, 0.1));
        var metadata = new ExportMetadata { Details = new Dictionary<string, string> { ["lstm.layers"] = "7" } };

        var error = Assert.Throws<ArgumentException>(() => LstmOptimizerExporter.Build(network, metadata));

        Assert.Contains("l2l.lstm.layers", error.Message);
    }

    private static int[] Bits(torch.Tensor tensor) =>
        tensor.detach().contiguous().data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
