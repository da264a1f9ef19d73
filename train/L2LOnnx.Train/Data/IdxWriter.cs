using System.Buffers.Binary;
using System.IO.Compression;

namespace L2LOnnx.Train.Data;

/// <summary>
/// Writes images and labels in the IDX format that <see cref="IdxReader"/> reads. Paths ending in
/// <c>.gz</c> are gzip-compressed, like the files MNIST and Fashion-MNIST are distributed as.
/// </summary>
public static class IdxWriter
{
    /// <summary>
    /// Writes a one-channel data set as an IDX3 image file and an IDX1 label file. Pixels are stored as
    /// the nearest byte (<c>round(v * 255)</c>), so data that was read from bytes round-trips exactly.
    /// </summary>
    /// <exception cref="ArgumentException">The data set has more than one channel.</exception>
    public static void Write(ImageDataset dataset, string imagesPath, string labelsPath)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Channels != 1)
            throw new ArgumentException($"IDX image files hold one channel; {dataset.Name} has {dataset.Channels}.", nameof(dataset));

        var bytes = new byte[dataset.Pixels.LongLength];
        for (long i = 0; i < bytes.LongLength; i++)
            bytes[i] = ByteScale.ToByte(dataset.Pixels[i]);
        WriteImages(imagesPath, bytes, dataset.Count, dataset.Rows, dataset.Cols);
        WriteLabels(labelsPath, dataset.Labels);
    }

    /// <summary>Writes raw bytes (count x rows x cols, row-major) as an IDX3 image file.</summary>
    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if (pixels.Length != (long)count * rows * cols)
            throw new ArgumentException($"{pixels.Length} bytes are not {count} images of {rows}x{cols}.", nameof(pixels));
        Write(path, IdxReader.ImagesMagic, [count, rows, cols], pixels);
    }

    /// <summary>Writes labels as an IDX1 label file.</summary>
    public static void WriteLabels(string path, ReadOnlySpan<byte> labels) =>
        Write(path, IdxReader.LabelsMagic, [labels.Length], labels);

    private static void Write(string path, int magic, ReadOnlySpan<int> dims, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.Create(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true)
            : file;
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, magic);
        stream.Write(word);
        foreach (int dim in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, dim);
            stream.Write(word);
        }
        stream.Write(data);
    }
}
