using System.Text;
using Google.Protobuf;
using L2LOnnx.Runtime.Onnx;
using Onnx;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>
/// Finding 7 of issue 11: protobuf has no end marker, so a model cut at a field boundary still parses.
/// Stamped files (weights hash first, <c>l2l.metadata_sha256</c> last) are refused at every cut; files
/// with the weights hash but no metadata hash are refused as cut or pre-stamp; third-party files with
/// neither still load.
/// </summary>
public sealed class TruncationTests
{
    private const int GraphField = 7;
    private const int MetadataField = 14;

    public static TheoryData<string> Shipped => new() { "quadratic.onnx", "general.onnx", "mnist-mlp.onnx" };

    [Theory]
    [MemberData(nameof(Shipped))]
    public void AShippedModelRecordsItsWeightsHashFirstAndItsMetadataHashLast(string file)
    {
        var bytes = File.ReadAllBytes(RepositoryModels.PathOf(file));
        var model = OnnxModelReader.Read(bytes);
        Assert.Equal(ContractV1.WeightsHashKey, model.Metadata.Keys.First());
        Assert.Equal(ContractV1.MetadataHashKey, model.Metadata.Keys.Last());
        Assert.Equal(MetadataHash.Compute(model), model.Metadata[ContractV1.MetadataHashKey]);
        // The metadata entries are the last fields of the file, so the metadata hash is its last bytes.
        Assert.All(Wire.Fields(bytes).SkipWhile(f => f.Field != MetadataField), f => Assert.Equal(MetadataField, f.Field));
        ModelPrecheck.Check(bytes);
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void EveryCutOfAShippedModelAfterItsGraphIsRefused(string file)
    {
        var bytes = File.ReadAllBytes(RepositoryModels.PathOf(file));
        var fields = Wire.Fields(bytes);
        var graphEnd = fields.Single(f => f.Field == GraphField).End;
        var boundaries = fields.Where(f => f.Start >= graphEnd).Select(f => f.Start).ToArray();
        Assert.True(boundaries.Length >= OnnxModelReader.Read(bytes).Metadata.Count, "one boundary before each metadata entry");

        // A cut at a field boundary parses: a contract rule, not the reader, must refuse it.
        foreach (var cut in boundaries)
        {
            var left = OnnxModelReader.Read(bytes[..cut]).Metadata;
            var e = Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(bytes[..cut]));
            // Cut after the weights hash alone, the format key is missing; after more, the metadata hash.
            if (left.Count > 0)
                Assert.Contains(left.ContainsKey(ContractV1.FormatKey) ? $"does not end with '{ContractV1.MetadataHashKey}'" : $"'{ContractV1.FormatKey}' is absent", e.Message);
        }
        // A cut inside a field does not parse.
        for (var cut = graphEnd; cut < bytes.Length; cut++)
            Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(bytes[..cut]));
    }

    [Fact]
    public void TheShippedQuadraticCutAtByte26000IsRefused()
    {
        // The case, on today's (stamped) file; the theory above covers every other cut.
        var bytes = File.ReadAllBytes(RepositoryModels.PathOf("quadratic.onnx"));
        Assert.True(bytes.Length > 26000, $"quadratic.onnx has {bytes.Length} bytes; the issue cut it at 26000");
        Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(bytes[..26000]));
    }

    [Fact]
    public void APreStampFileCutAfterItsWeightsHashIsRefused()
    {
        // The file of the issue: the exporter's order of the time (weights hash ninth) and no metadata hash;
        // cut at 26000 of its 26141 bytes, it lost its last entries (l2l.optimizee.*) and loaded.
        var bytes = PreStampModel.Of(File.ReadAllBytes(RepositoryModels.PathOf("quadratic.onnx")));
        var whole = Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(bytes));
        Assert.Contains($"does not end with '{ContractV1.MetadataHashKey}'", whole.Message);
        Assert.Contains("l2l stamp", whole.Message);

        var fields = Wire.Fields(bytes);
        var graphEnd = fields.Single(f => f.Field == GraphField).End;
        var cuts = fields.Where(f => f.Start > graphEnd)
            .Select(f => f.Start)
            .Where(cut => OnnxModelReader.Read(bytes[..cut]).Metadata.ContainsKey(ContractV1.WeightsHashKey))
            .ToArray();
        Assert.NotEmpty(cuts);
        foreach (var cut in cuts)
            Assert.Contains($"does not end with '{ContractV1.MetadataHashKey}'",
                Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(bytes[..cut])).Message);
    }

    [Fact]
    public void AFlippedMetadataValueIsRefused()
    {
        var bytes = File.ReadAllBytes(RepositoryModels.PathOf("quadratic.onnx"));
        var trainedOn = Encoding.UTF8.GetBytes(OnnxModelReader.Read(bytes).Metadata[ContractV1.TrainedOnKey]);
        var at = bytes.AsSpan().IndexOf(trainedOn);
        var letter = Array.FindIndex(trainedOn, b => char.IsAsciiLetter((char)b));
        Assert.True(at > 0 && letter >= 0);
        // Same length, so the file still parses: only the metadata hash can tell.
        bytes[at + letter] ^= 0x20;
        var e = Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(bytes));
        Assert.Contains($"do not match '{ContractV1.MetadataHashKey}'", e.Message);
        Assert.Contains("l2l stamp", e.Message);
    }

    [Fact]
    public void AnEditedInputShapeIsRefused()
    {
        // The inputs and outputs are covered too: N renamed is still contract v1, but not the file that was stamped.
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(RepositoryModels.PathOf("quadratic.onnx")));
        model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam = "M";
        var e = Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(model.ToByteArray()));
        Assert.Contains($"do not match '{ContractV1.MetadataHashKey}'", e.Message);
    }

    [Fact]
    public void AMetadataHashThatIsNotLastIsRefused()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(RepositoryModels.PathOf("quadratic.onnx")));
        var stamp = model.MetadataProps[^1];
        model.MetadataProps.RemoveAt(model.MetadataProps.Count - 1);
        model.MetadataProps.Insert(0, stamp);
        var e = Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(model.ToByteArray()));
        Assert.Contains("must be the last metadata entry", e.Message);
    }

    [Fact]
    public void AThirdPartyFileWithNeitherHashLoads()
    {
        var model = ModelProto.Parser.ParseFrom(new HandBuiltModel().ToBytes());
        model.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "someone else" });
        using var optimizer = LearnedOptimizer.Load(model.ToByteArray(), new LearnedOptimizerOptions { IntraOpThreads = 1 });
        Assert.Equal("someone else", optimizer.Contract.Metadata["author"]);
        Assert.False(optimizer.Contract.Metadata.ContainsKey(ContractV1.MetadataHashKey));
    }
}
