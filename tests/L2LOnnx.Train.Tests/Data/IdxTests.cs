using System.IO.Compression;
using L2LOnnx.Train.Data;

namespace L2LOnnx.Train.Tests.Data;

public sealed class IdxTests
{
    private static ImageDataset Sample(int count = 7, int rows = 5, int cols = 4)
    {
        // Every byte value appears (i * 37 mod 256 walks all of them), so scaling is checked end to end.
        var pixels = new float[count * rows * cols];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (i * 37 % 256) / 255f;
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
            labels[i] = (byte)(i * 3 % 10);
        return new ImageDataset("sample", rows, cols, 1, pixels, labels, 10);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RoundTrip_PlainAndGzip(bool gzip)
    {
        using var dir = new TempDirectory();
        string ext = gzip ? ".gz" : "";
        string images = dir.File("images-idx3-ubyte" + ext), labels = dir.File("labels-idx1-ubyte" + ext);
        var original = Sample();

        IdxWriter.Write(original, images, labels);
        var read = IdxReader.ReadIdx(images, labels, "read");

        byte[] head = File.ReadAllBytes(images)[..2];
        Assert.Equal(gzip, head[0] == 0x1f && head[1] == 0x8b);
        Assert.Equal("read", read.Name);
        Assert.Equal((7, 5, 4, 1, 10), (read.Count, read.Rows, read.Cols, read.Channels, read.ClassCount));
        Assert.Equal(original.Labels, read.Labels);
        Assert.Equal(original.Pixels, read.Pixels);
    }

    [Fact]
    public void Gzip_IsDetectedByContentNotExtension()
    {
        using var dir = new TempDirectory();
        IdxWriter.Write(Sample(), dir.File("i.gz"), dir.File("l.gz"));
        File.Move(dir.File("i.gz"), dir.File("images"));
        File.Move(dir.File("l.gz"), dir.File("labels"));

        Assert.Equal(Sample().Pixels, IdxReader.ReadIdx(dir.File("images"), dir.File("labels"), "x").Pixels);
    }

    [Fact]
    public void Header_IsBigEndianWithStandardMagic()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteImages(dir.File("i"), new byte[2 * 3 * 4], 2, 3, 4);
        byte[] bytes = File.ReadAllBytes(dir.File("i"));

        Assert.Equal(new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4 }, bytes[..16]);
        Assert.Equal(16 + 24, bytes.Length);
    }

    [Fact]
    public void EmptyDataset_RoundTrips()
    {
        using var dir = new TempDirectory();
        IdxWriter.Write(Sample().Take(0), dir.File("i"), dir.File("l"));
        Assert.Equal(0, IdxReader.ReadIdx(dir.File("i"), dir.File("l"), "empty").Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BadMagic_NamesFile(bool gzip)
    {
        using var dir = new TempDirectory();
        string ext = gzip ? ".gz" : "";
        string images = dir.File("images" + ext), labels = dir.File("labels" + ext);
        IdxWriter.Write(Sample(), images, labels);

        // Images and labels swapped: each file has the other's magic.
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadIdx(labels, images, "x"));
        Assert.Contains(labels, e.Message);
        Assert.Contains("magic", e.Message);
        Assert.Contains("0x00000801", e.Message);

        File.WriteAllBytes(images, [0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0]);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadIdx(images, labels, "x"));
        Assert.Contains(images, e.Message);
        Assert.Contains("0xDEADBEEF", e.Message);
    }

    [Theory]
    [InlineData(false, 10)]  // inside the header
    [InlineData(false, 16 + 50)]  // inside the pixels
    [InlineData(true, 16 + 50)]
    public void TruncatedImages_NamesFile(bool gzip, int keep)
    {
        using var dir = new TempDirectory();
        string images = dir.File("images"), labels = dir.File("labels");
        IdxWriter.Write(Sample(), images, labels);
        byte[] cut = File.ReadAllBytes(images)[..keep];
        if (gzip)
        {
            images = dir.File("cut.gz");
            using var file = File.Create(images);
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(cut);
        }
        else
        {
            File.WriteAllBytes(images, cut);
        }

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadIdx(images, labels, "x"));
        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TruncatedGzipStream_NamesFile()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images.gz"), labels = dir.File("labels.gz");
        IdxWriter.Write(Sample(40, 28, 28), images, labels);
        byte[] whole = File.ReadAllBytes(images);
        File.WriteAllBytes(images, whole[..(whole.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadIdx(images, labels, "x"));
        Assert.Contains(images, e.Message);
    }

    [Fact]
    public void TrailingBytes_NamesFile()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images"), labels = dir.File("labels");
        IdxWriter.Write(Sample(), images, labels);
        File.AppendAllText(labels, "x");

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadIdx(images, labels, "x"));
        Assert.Contains(labels, e.Message);
        Assert.Contains("after", e.Message);
    }

    [Fact]
    public void MismatchedCounts_NamesBothFiles()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images"), labels = dir.File("labels");
        IdxWriter.Write(Sample(count: 7), images, labels);
        IdxWriter.WriteLabels(labels, new byte[6]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadIdx(images, labels, "x"));
        Assert.Contains(labels, e.Message);
        Assert.Contains(images, e.Message);
        Assert.Contains("6 labels", e.Message);
        Assert.Contains("7 images", e.Message);
    }

    [Fact]
    public void LabelAboveClassCount_NamesFile()
    {
        using var dir = new TempDirectory();
        string images = dir.File("images"), labels = dir.File("labels");
        IdxWriter.Write(Sample(count: 3), images, labels);
        IdxWriter.WriteLabels(labels, [1, 10, 2]);

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadIdx(images, labels, "x"));
        Assert.Contains(labels, e.Message);
        Assert.Contains("label 10", e.Message);
    }

    [Fact]
    public void MissingFile_IsFileNotFound()
    {
        using var dir = new TempDirectory();
        Assert.Throws<FileNotFoundException>(() => IdxReader.ReadIdx(dir.File("nope"), dir.File("nope2"), "x"));
    }
}
