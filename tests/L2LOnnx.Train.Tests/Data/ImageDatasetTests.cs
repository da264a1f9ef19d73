using L2LOnnx.Train.Data;

namespace L2LOnnx.Train.Tests.Data;

public sealed class ImageDatasetTests
{
    private static ImageDataset Numbered(int count)
    {
        // Image i is filled with i / 255 and labelled i % 10, so order is visible after every helper.
        var pixels = new float[count * 6];
        for (int i = 0; i < count; i++)
            pixels.AsSpan(i * 6, 6).Fill(i / 255f);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
        return new ImageDataset("n", 2, 3, 1, pixels, labels, 10);
    }

    [Fact]
    public void Validates()
    {
        Assert.Throws<ArgumentException>(() => new ImageDataset("x", 2, 2, 1, new float[7], new byte[2], 10));
        Assert.Throws<ArgumentException>(() => new ImageDataset("x", 2, 2, 1, new float[4], [10], 10));
        Assert.Throws<ArgumentException>(() => new ImageDataset("x", 2, 2, 1, [0, 0, 1.5f, 0], [1], 10));
        Assert.Throws<ArgumentException>(() => new ImageDataset("x", 2, 2, 1, [0, 0, float.NaN, 0], [1], 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageDataset("x", 0, 2, 1, [], [], 10));
        Assert.Throws<ArgumentException>(() => new ImageDataset(" ", 2, 2, 1, new float[4], [1], 10));
    }

    [Fact]
    public void TakeAndSplit_KeepOrder()
    {
        var d = Numbered(10);

        Assert.Equal(3, d.Take(3).Count);
        Assert.Equal(10, d.Take(50).Count);
        var (first, second) = d.Split(4);
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, first.Labels);
        Assert.Equal(new byte[] { 4, 5, 6, 7, 8, 9 }, second.Labels);
        Assert.Equal(4 / 255f, second.Image(0)[5]);
        Assert.Equal(6, second.ImageSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Split(11));
    }

    [Fact]
    public void Shuffled_IsSeededPermutationKeepingPairs()
    {
        var d = Numbered(50);

        var a = d.Shuffled(1);
        var b = d.Shuffled(1);

        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEqual(d.Pixels, a.Pixels);
        for (int i = 0; i < a.Count; i++)
        {
            int original = (int)MathF.Round(a.Image(i)[0] * 255f);
            Assert.Equal(original % 10, a.Labels[i]);
        }
        Assert.Equal(Enumerable.Range(0, 50), Enumerable.Range(0, 50).Select(i => (int)MathF.Round(a.Image(i)[0] * 255f)).Order());
    }
}
