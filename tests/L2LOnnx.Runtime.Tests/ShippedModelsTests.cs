using System.Security.Cryptography;

namespace L2LOnnx.Runtime.Tests;

/// <summary>The runtime carries every file of models/ and loads it without the file being anywhere near the application.</summary>
public sealed class ShippedModelsTests
{
    private static readonly string ModelsFolder = Path.Combine(DebianPython.RepositoryRoot(), "models");

    [Fact]
    public void Names_AreExactlyTheOnnxFilesOfTheModelsFolder()
    {
        var files = Directory.GetFiles(ModelsFolder, "*.onnx").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);

        Assert.Equal(files, ShippedModels.Names);
        Assert.Contains("general", ShippedModels.Names);
    }

    [Fact]
    public void Open_GivesTheRepositoryFilesBytes_WithOrWithoutTheExtension()
    {
        foreach (var name in ShippedModels.Names)
        {
            var expected = File.ReadAllBytes(Path.Combine(ModelsFolder, name + ".onnx"));
            using var bare = ShippedModels.Open(name);
            using var withExtension = ShippedModels.Open(name + ".onnx");
            Assert.Equal(expected, ReadAll(bare));
            Assert.Equal(expected, ReadAll(withExtension));
        }
    }

    [Fact]
    public void Load_IsTheSameModelAsTheFile()
    {
        using var embedded = ShippedModels.Load("quadratic", new LearnedOptimizerOptions { IntraOpThreads = 1 });

        var sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(ModelsFolder, "quadratic.onnx")))).ToLowerInvariant();
        Assert.Equal(sha, embedded.Fingerprint);
        Assert.Equal("quadratic-10d", embedded.Contract.Metadata["l2l.trained_on"]);
    }

    [Fact]
    public void EveryCard_StatesTheWeightsHashOfItsModel()
    {
        // A card left behind when its model is replaced would describe another file: the weights row catches it.
        foreach (var name in ShippedModels.Names)
        {
            var model = Onnx.OnnxModelReader.ReadFile(Path.Combine(ModelsFolder, name + ".onnx"));
            var card = File.ReadAllText(Path.Combine(ModelsFolder, name + ".md"));
            var hash = model.Metadata[ContractV1.WeightsHashKey];
            Assert.Equal(hash, WeightsHash.Compute(model.Graph));
            Assert.Contains($"| weights | `{ContractV1.WeightsHashKey}` = `{hash}`", card);
        }
    }

    [Fact]
    public void UnknownName_IsRefusedWithTheNamesThatExist()
    {
        var error = Assert.Throws<ArgumentException>(() => ShippedModels.Open("adam"));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("'adam'", error.Message);
        Assert.Contains(string.Join(", ", ShippedModels.Names), error.Message);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
