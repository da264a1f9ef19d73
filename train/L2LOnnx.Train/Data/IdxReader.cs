using System.Buffers.Binary;

namespace L2LOnnx.Train.Data;

/// <summary>
/// Reads the IDX format used by MNIST and Fashion-MNIST, plain or gzip-compressed (detected by content).
/// An IDX file is a big-endian int32 magic (0x00000801: 1-D unsigned bytes, i.e. labels;
/// 0x00000803: 3-D unsigned bytes, i.e. images), one big-endian int32 per dimension, then the bytes.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX label file: unsigned bytes, one dimension.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Magic number of an IDX image file: unsigned bytes, three dimensions (count, rows, cols).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>
    /// Reads an image file and its label file into a one-channel data set with pixels scaled to [0, 1].
    /// </summary>
    /// <param name="imagesPath">IDX3 image file, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <param name="labelsPath">IDX1 label file, e.g. <c>train-labels-idx1-ubyte.gz</c>.</param>
    /// <param name="name">Name for the data set.</param>
    /// <param name="classCount">Number of classes; every label must be below it.</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is corrupt (bad magic, truncated, trailing bytes, label out of range) or the two files
    /// disagree on the number of items. The message names the file.
    /// </exception>
    public static ImageDataset ReadIdx(string imagesPath, string labelsPath, string name, int classCount = 10)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);

        var (count, rows, cols, bytes) = ReadImages(imagesPath);
        byte[] labels = ReadLabels(labelsPath);
        if (labels.Length != count)
            throw DataFile.Corrupt(labelsPath, $"holds {labels.Length} labels but {imagesPath} holds {count} images");
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
                throw DataFile.Corrupt(labelsPath, $"label {labels[i]} of item {i} is not below the class count {classCount}");
        }

        // A 256-entry table keeps the conversion exact and identical for every reader (k / 255f).
        var pixels = new float[bytes.LongLength];
        for (long i = 0; i < bytes.LongLength; i++)
            pixels[i] = ByteScale.ToUnit[bytes[i]];
        return new ImageDataset(name, rows, cols, 1, pixels, labels, classCount);
    }

    /// <summary>Reads an IDX1 label file (magic 0x00000801).</summary>
    /// <exception cref="InvalidDataException">Bad magic, truncated or longer than its header says.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var stream = DataFile.OpenRead(path);
        int[] dims = ReadHeader(stream, path, LabelsMagic, "an IDX1 label file");
        var labels = new byte[dims[0]];
        DataFile.ReadExactly(stream, labels, path, "labels");
        if (!DataFile.AtEnd(stream, path))
            throw DataFile.Corrupt(path, $"has bytes after the {dims[0]} labels its header announces");
        return labels;
    }

    /// <summary>Reads an IDX3 image file (magic 0x00000803) as raw bytes, image after image, row-major.</summary>
    /// <exception cref="InvalidDataException">Bad magic, truncated or longer than its header says.</exception>
    public static (int Count, int Rows, int Cols, byte[] Pixels) ReadImages(string path)
    {
        using var stream = DataFile.OpenRead(path);
        int[] dims = ReadHeader(stream, path, ImagesMagic, "an IDX3 image file");
        long total = (long)dims[0] * dims[1] * dims[2];
        if (total > Array.MaxLength)
            throw DataFile.Corrupt(path, $"header announces {dims[0]}x{dims[1]}x{dims[2]} pixels, more than fit in memory");
        var pixels = new byte[total];
        DataFile.ReadExactly(stream, pixels, path, "pixels");
        if (!DataFile.AtEnd(stream, path))
            throw DataFile.Corrupt(path, $"has bytes after the {dims[0]}x{dims[1]}x{dims[2]} pixels its header announces");
        return (dims[0], dims[1], dims[2], pixels);
    }

    private static int[] ReadHeader(Stream stream, string path, int expectedMagic, string what)
    {
        Span<byte> word = stackalloc byte[4];
        DataFile.ReadExactly(stream, word, path, "IDX magic number");
        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (magic != expectedMagic)
        {
            // Swapped arguments are the most likely cause, so say so when we can tell.
            string hint = magic switch
            {
                LabelsMagic => " (this is an IDX label file)",
                ImagesMagic => " (this is an IDX image file)",
                _ => "",
            };
            throw DataFile.Corrupt(path, $"bad magic number 0x{magic:X8}{hint}; expected 0x{expectedMagic:X8}, {what}");
        }

        var dims = new int[expectedMagic & 0xFF];
        for (int d = 0; d < dims.Length; d++)
        {
            DataFile.ReadExactly(stream, word, path, "IDX header");
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(word);
            // Zero images is legal (an empty split); zero rows or columns is not.
            if (dims[d] < 0 || (d > 0 && dims[d] == 0))
                throw DataFile.Corrupt(path, $"dimension {d} in the header is {dims[d]}");
        }
        return dims;
    }
}
