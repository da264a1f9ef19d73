using Google.Protobuf;
using L2LOnnx.Runtime;
using Onnx;

namespace L2LOnnx.Cli.Tests;

/// <summary><c>l2l stamp</c>: stamps pre-stamp exports in place, once, and refuses files with changed weights.</summary>
public sealed class StampCommandTests
{
    [Fact]
    public async Task APreStampExportIsStampedInPlaceThroughATemporaryFileAndOnlyOnce()
    {
        using var temp = new TempDirectory();
        var path = temp.File("model.onnx");
        var preStamp = PreStampModel.Of(File.ReadAllBytes(RepositoryModels.PathOf("quadratic.onnx")));
        File.WriteAllBytes(path, preStamp);
        var vectors = temp.File("model.conformance.json");
        File.WriteAllText(vectors, "{}");
        Assert.Contains("l2l stamp", Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(path)).Message);

        Cli.Result result;
        byte[] replaced;
        using (var reader = File.OpenRead(path))
        {
            result = await Cli.Run("stamp", path);
            // The handle opened before still reads the old file: it was replaced by a rename, not rewritten.
            using var copy = new MemoryStream();
            reader.CopyTo(copy);
            replaced = copy.ToArray();
        }

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"stamped {path}", result.Output);
        Assert.Contains($"re-record it with 'l2l conformance write --model {path}'", result.Output);
        Assert.Equal(preStamp, replaced);
        var stamped = File.ReadAllBytes(path);
        using (var optimizer = LearnedOptimizer.Load(stamped, new LearnedOptimizerOptions { IntraOpThreads = 1 }))
            Assert.Equal(ContractV1.MetadataHashKey, optimizer.Contract.Metadata.Keys.Last());
        Assert.Equal(new[] { vectors, path }.Order(), Directory.GetFiles(temp.Path).Order());

        var written = File.GetLastWriteTimeUtc(path);
        var again = await Cli.Run("stamp", path);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains($"already stamped {path}", again.Output);
        Assert.Equal(stamped, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public async Task AFileWhoseWeightsChangedIsRefusedAndLeftAloneWhileTheOthersAreStamped()
    {
        using var temp = new TempDirectory();
        var model = ModelProto.Parser.ParseFrom(PreStampModel.Of(File.ReadAllBytes(RepositoryModels.PathOf("quadratic.onnx"))));
        var good = temp.File("good.onnx");
        File.WriteAllBytes(good, model.ToByteArray());
        var weights = model.Graph.Initializer.First(t => t.RawData.Length >= 4);
        weights.RawData = ByteString.CopyFrom(new byte[weights.RawData.Length]);
        var bad = temp.File("bad.onnx");
        var badBytes = model.ToByteArray();
        File.WriteAllBytes(bad, badBytes);

        var result = await Cli.Run("stamp", bad, good);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error: {bad}: not stamped: the weights do not match 'l2l.weights_sha256'", result.Error);
        Assert.Equal(badBytes, File.ReadAllBytes(bad));
        Assert.Contains($"stamped {good}", result.Output);
        using var optimizer = LearnedOptimizer.Load(good);
    }

    [Fact]
    public async Task AMissingFileIsAnInputError()
    {
        using var temp = new TempDirectory();
        var result = await Cli.Run("stamp", temp.File("absent.onnx"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
    }
}
