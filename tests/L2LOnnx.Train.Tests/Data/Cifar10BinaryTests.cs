using L2LOnnx.Train.Data;

namespace L2LOnnx.Train.Tests.Data;

public sealed class Cifar10BinaryTests
{
    /// <summary>Images whose R, G and B planes are constant and different, so layout mistakes show.</summary>
    private static ImageDataset Planes(int count, int firstLabel = 0)
    {
        var pixels = new float[count * 3072];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = (byte)((firstLabel + i) % 10);
            for (int c = 0; c < 3; c++)
                pixels.AsSpan(i * 3072 + c * 1024, 1024).Fill((10 * i + 50 * c + 1) / 255f);
            // One marked pixel per image: row 2, column 5 of the green plane.
            pixels[i * 3072 + 1024 + 2 * 32 + 5] = 1f;
        }
        return new ImageDataset("planes", 32, 32, 3, pixels, labels, 10);
    }

    [Fact]
    public void RoundTrip_OneBatch()
    {
        using var dir = new TempDirectory();
        var original = Planes(4);
        Cifar10BinaryWriter.Write(dir.File("data_batch_1.bin"), original);

        var read = Cifar10BinaryReader.Read("read", dir.File("data_batch_1.bin"));

        Assert.Equal(4 * 3073, new FileInfo(dir.File("data_batch_1.bin")).Length);
        Assert.Equal((4, 32, 32, 3, 10), (read.Count, read.Rows, read.Cols, read.Channels, read.ClassCount));
        Assert.Equal(original.Labels, read.Labels);
        Assert.Equal(original.Pixels, read.Pixels);
    }

    [Fact]
    public void Layout_IsLabelThenRedGreenBluePlanes_ReadAsChw()
    {
        using var dir = new TempDirectory();
        // Hand-made record: label 7, red = 10, green = 20 except one marked pixel, blue = 30.
        var record = new byte[3073];
        record[0] = 7;
        record.AsSpan(1, 1024).Fill(10);
        record.AsSpan(1 + 1024, 1024).Fill(20);
        record.AsSpan(1 + 2048, 1024).Fill(30);
        record[1 + 1024 + 3 * 32 + 4] = 255; // green, row 3, column 4
        File.WriteAllBytes(dir.File("b.bin"), record);

        var d = Cifar10BinaryReader.Read("hand", dir.File("b.bin"));

        Assert.Equal(7, d.Labels[0]);
        var image = d.Image(0);
        Assert.Equal(10 / 255f, image[0]);
        Assert.Equal(10 / 255f, image[1023]);
        Assert.Equal(20 / 255f, image[1024]);
        Assert.Equal(1f, image[1024 + 3 * 32 + 4]);
        Assert.Equal(30 / 255f, image[2048]);
        Assert.Equal(30 / 255f, image[3071]);
    }

    [Fact]
    public void SeveralBatches_AreConcatenatedInOrder()
    {
        using var dir = new TempDirectory();
        Cifar10BinaryWriter.Write(dir.File("a.bin"), Planes(3, firstLabel: 0));
        Cifar10BinaryWriter.Write(dir.File("b.bin"), Planes(2, firstLabel: 5));

        var d = Cifar10BinaryReader.Read("ab", dir.File("a.bin"), dir.File("b.bin"));

        Assert.Equal(new byte[] { 0, 1, 2, 5, 6 }, d.Labels);
        Assert.Equal(Planes(2, 5).Pixels, d.Pixels.AsSpan(3 * 3072).ToArray());
    }

    [Fact]
    public void DataSetsCifar10_FindsTrainAndTestBatches_AlsoInNestedFolder()
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir.Path, "cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        for (int b = 1; b <= 5; b++)
            Cifar10BinaryWriter.Write(Path.Combine(folder, $"data_batch_{b}.bin"), Planes(2, firstLabel: b));
        Cifar10BinaryWriter.Write(Path.Combine(folder, "test_batch.bin"), Planes(3));

        var train = DataSets.Cifar10(dir.Path, train: true);
        var test = DataSets.Cifar10(folder, train: false);

        Assert.Equal(10, train.Count);
        Assert.Equal(new byte[] { 1, 2, 2, 3, 3, 4, 4, 5, 5, 6 }, train.Labels);
        Assert.Equal(3, test.Count);
        Assert.Equal("cifar10-train", train.Name);
        Assert.Equal("cifar10-test", test.Name);
    }

    [Fact]
    public void LabelAbove9_NamesFileAndRecord()
    {
        using var dir = new TempDirectory();
        string path = dir.File("data_batch_1.bin");
        Cifar10BinaryWriter.Write(path, Planes(3));
        byte[] bytes = File.ReadAllBytes(path);
        bytes[2 * 3073] = 10;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => Cifar10BinaryReader.Read("x", path));
        Assert.Contains(path, e.Message);
        Assert.Contains("record 2", e.Message);
        Assert.Contains("label 10", e.Message);
    }

    [Theory]
    [InlineData(3073 * 2 - 1)]
    [InlineData(100)]
    [InlineData(0)]
    public void TruncatedOrEmpty_NamesFile(int length)
    {
        using var dir = new TempDirectory();
        string path = dir.File("test_batch.bin");
        Cifar10BinaryWriter.Write(path, Planes(2));
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..length]);

        var e = Assert.Throws<InvalidDataException>(() => Cifar10BinaryReader.Read("x", path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Writer_RejectsNonCifarShapes()
    {
        using var dir = new TempDirectory();
        var grey = new ImageDataset("grey", 32, 32, 1, new float[1024], [0], 10);
        Assert.Throws<ArgumentException>(() => Cifar10BinaryWriter.Write(dir.File("x.bin"), grey));
    }
}
