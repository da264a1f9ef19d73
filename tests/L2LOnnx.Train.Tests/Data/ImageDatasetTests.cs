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

    [Fact]
    public void AveragePooled_AveragesEachBlockPerChannelAndDropsTheRemainder()
    {
        // Two images, 2 channels of 3x5: pixel value = (100 * image + 20 * channel + 5 * row + column) / 256, exact in float.
        const int rows = 3, cols = 5, channels = 2;
        var pixels = new float[2 * channels * rows * cols];
        for (int i = 0; i < 2; i++)
            for (int c = 0; c < channels; c++)
                for (int r = 0; r < rows; r++)
                    for (int k = 0; k < cols; k++)
                        pixels[((i * channels + c) * rows + r) * cols + k] = (100 * i + 20 * c + 5 * r + k) / 256f;
        var d = new ImageDataset("t", rows, cols, channels, pixels, [3, 7], 10);

        var pooled = d.AveragePooled(2);

        Assert.Equal((1, 2, 2), (pooled.Rows, pooled.Cols, pooled.Channels));
        Assert.Equal(new byte[] { 3, 7 }, pooled.Labels);
        // Block (rows 0-1, cols 2-3) of image 1, channel 1: mean of 100 + 20 + {2, 3, 7, 8} = 125.
        Assert.Equal(125 / 256f, pooled.Image(1)[1 * 2 + 1]);
        // Image 0, channel 0, first block: mean of {0, 1, 5, 6}.
        Assert.Equal(3 / 256f, pooled.Image(0)[0]);
        Assert.Equal(d.Pixels, d.AveragePooled(1).Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => d.AveragePooled(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.AveragePooled(0));
    }
}
