using Google.Protobuf;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Runtime.Onnx.Writing;
using Onnx;

namespace L2LOnnx.Runtime.Tests;

/// <summary><see cref="ModelStamp"/>: what <c>l2l stamp</c> and every writer use to write <c>l2l.metadata_sha256</c>.</summary>
public sealed class ModelStampTests
{
    private static byte[] Quadratic() => File.ReadAllBytes(RepositoryModels.PathOf("quadratic.onnx"));

    [Fact]
    public void StampingAPreStampExportGivesTheStampedFileAndStampingAgainChangesNothing()
    {
        var shipped = Quadratic();
        var stamped = ModelStamp.Stamp(PreStampModel.Of(shipped));
        Assert.Equal(shipped, stamped);
        Assert.Same(stamped, ModelStamp.Stamp(stamped));
        using var optimizer = LearnedOptimizer.Load(stamped, new LearnedOptimizerOptions { IntraOpThreads = 1 });
        Assert.Equal(ContractV1.MetadataHashKey, optimizer.Contract.Metadata.Keys.Last());
    }

    [Fact]
    public void AStampedFileSurvivesReserialisation()
    {
        // The hash is over values, not bytes: another writer's encoding keeps it valid.
        var model = ModelProto.Parser.ParseFrom(Quadratic());
        var packed = model.ToByteArray();
        ModelPrecheck.Check(packed);
        Assert.Same(packed, ModelStamp.Stamp(packed));
    }

    [Fact]
    public void AThirdPartyFileWithoutAWeightsHashIsStampedAndThenGuarded()
    {
        var model = ModelProto.Parser.ParseFrom(new HandBuiltModel().ToBytes());
        model.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "someone else" });
        var stamped = ModelStamp.Stamp(model.ToByteArray());
        Assert.Equal([ContractV1.FormatKey, "author", ContractV1.MetadataHashKey], OnnxModelReader.Read(stamped).Metadata.Keys);
        ModelPrecheck.Check(stamped);
        var edited = ModelProto.Parser.ParseFrom(stamped);
        edited.MetadataProps.Single(e => e.Key == "author").Value = "someone";
        Assert.Contains("do not match", Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(edited.ToByteArray())).Message);
    }

    [Fact]
    public void AFileWhoseWeightsChangedIsNotStamped()
    {
        var model = ModelProto.Parser.ParseFrom(PreStampModel.Of(Quadratic()));
        var weights = model.Graph.Initializer.First(t => t.RawData.Length >= 4);
        var raw = weights.RawData.ToByteArray();
        raw[0] ^= 1;
        weights.RawData = ByteString.CopyFrom(raw);
        var e = Assert.Throws<ContractViolationException>(() => ModelStamp.Stamp(model.ToByteArray()));
        Assert.Contains($"not stamped: the weights do not match '{ContractV1.WeightsHashKey}'", e.Message);
    }

    [Fact]
    public void AFileCutBeforeItsWeightsHashIsNotStamped()
    {
        var model = ModelProto.Parser.ParseFrom(PreStampModel.Of(Quadratic()));
        while (model.MetadataProps[^1].Key != ContractV1.WeightsHashKey) model.MetadataProps.RemoveAt(model.MetadataProps.Count - 1);
        model.MetadataProps.RemoveAt(model.MetadataProps.Count - 1);
        var e = Assert.Throws<ContractViolationException>(() => ModelStamp.Stamp(model.ToByteArray()));
        Assert.Contains($"not stamped: the metadata has 'l2l.architecture' but no '{ContractV1.WeightsHashKey}'", e.Message);
        Assert.Contains("not a readable ONNX model", Assert.Throws<ContractViolationException>(() => ModelStamp.Stamp([1, 2, 3])).Message);
    }

    [Fact]
    public void AFileIsStampedThroughATemporaryFileAndOnlyOnce()
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.onnx");
        var preStamp = PreStampModel.Of(Quadratic());
        File.WriteAllBytes(path, preStamp);
        byte[] before;
        using (var reader = File.OpenRead(path))
        {
            Assert.True(ModelStamp.StampFile(path));
            // The open file still holds the old bytes: the stamped file replaced it by a rename, it was not rewritten in place.
            using var copy = new MemoryStream();
            reader.CopyTo(copy);
            before = copy.ToArray();
        }
        Assert.Equal(preStamp, before);
        var stamped = File.ReadAllBytes(path);
        ModelPrecheck.Check(stamped);

        var written = File.GetLastWriteTimeUtc(path);
        Assert.False(ModelStamp.StampFile(path));
        Assert.Equal(stamped, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void ARefusedFileIsLeftAsItWas()
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.onnx");
        var model = ModelProto.Parser.ParseFrom(PreStampModel.Of(Quadratic()));
        var weights = model.Graph.Initializer.First(t => t.RawData.Length >= 4);
        weights.RawData = ByteString.CopyFrom(new byte[weights.RawData.Length]);
        var bytes = model.ToByteArray();
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ContractViolationException>(() => ModelStamp.StampFile(path));
        Assert.StartsWith($"{path}: not stamped", e.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(temp.Path));
    }
}
