namespace L2LOnnx.Train.Data;

/// <summary>
/// Reads the "binary version" of CIFAR-10 (<c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c>,
/// <c>test_batch.bin</c>). Each file is a sequence of 3073-byte records: one label byte (0-9), then the
/// 32x32 image as 1024 red, 1024 green and 1024 blue bytes, each plane row-major. That is already CHW, so
/// the planes are copied in order.
/// </summary>
public static class Cifar10BinaryReader
{
    /// <summary>Image side length.</summary>
    public const int Side = 32;

    /// <summary>Colour channels (R, G, B).</summary>
    public const int Channels = 3;

    /// <summary>Bytes of pixel data per record.</summary>
    public const int ImageBytes = Channels * Side * Side;

    /// <summary>Bytes per record: the label byte plus the pixels.</summary>
    public const int RecordBytes = 1 + ImageBytes;

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Class names in label order, as listed in the data set's <c>batches.meta.txt</c>.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Reads one or more batch files, in the given order, into a single data set.</summary>
    /// <param name="name">Name for the data set.</param>
    /// <param name="batchFiles">The batch files (plain, or gzip-compressed, detected by content).</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is empty, its length is not a whole number of records, or a label is above 9.
    /// The message names the file.
    /// </exception>
    public static ImageDataset Read(string name, params IReadOnlyList<string> batchFiles)
    {
        ArgumentNullException.ThrowIfNull(batchFiles);
        if (batchFiles.Count == 0)
            throw new ArgumentException("At least one batch file is needed.", nameof(batchFiles));

        var contents = new List<byte[]>(batchFiles.Count);
        long count = 0;
        foreach (string path in batchFiles)
        {
            byte[] bytes = DataFile.ReadAllBytes(path);
            if (bytes.Length == 0)
                throw DataFile.Corrupt(path, "is empty");
            if (bytes.Length % RecordBytes != 0)
                throw DataFile.Corrupt(path,
                    $"is {bytes.Length} bytes long, not a whole number of {RecordBytes}-byte records " +
                    "(1 label + 3072 pixels): truncated, or not the CIFAR-10 binary version");
            for (int r = 0; r < bytes.Length / RecordBytes; r++)
            {
                byte label = bytes[r * RecordBytes];
                if (label >= ClassCount)
                    throw DataFile.Corrupt(path, $"record {r} has label {label}; CIFAR-10 labels are 0-9");
            }
            contents.Add(bytes);
            count += bytes.Length / RecordBytes;
        }
        if (count * ImageBytes > Array.MaxLength)
            throw new InvalidDataException($"{count} CIFAR-10 images are more than fit in one array.");

        var pixels = new float[count * ImageBytes];
        var labels = new byte[count];
        long image = 0;
        foreach (byte[] bytes in contents)
        {
            for (int offset = 0; offset < bytes.Length; offset += RecordBytes, image++)
            {
                labels[image] = bytes[offset];
                long target = image * ImageBytes;
                for (int i = 0; i < ImageBytes; i++)
                    pixels[target + i] = ByteScale.ToUnit[bytes[offset + 1 + i]];
            }
        }
        return new ImageDataset(name, Side, Side, Channels, pixels, labels, ClassCount);
    }
}
