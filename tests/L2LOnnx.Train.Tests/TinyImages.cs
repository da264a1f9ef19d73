using L2LOnnx.Train.Data;

namespace L2LOnnx.Train.Tests;

/// <summary>Small random labelled image sets, for problem tests that need no real data.</summary>
internal static class TinyImages
{
    /// <summary><paramref name="count"/> random images of channels x side x side with labels below <paramref name="classes"/>.</summary>
    public static ImageDataset Random(int count, int channels, int side, int classes, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[count * channels * side * side];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (float)random.NextDouble();
        var labels = new byte[count];
        for (var i = 0; i < count; i++) labels[i] = (byte)random.Next(classes);
        return new ImageDataset($"random-{channels}x{side}x{side}", side, side, channels, pixels, labels, classes);
    }
}
