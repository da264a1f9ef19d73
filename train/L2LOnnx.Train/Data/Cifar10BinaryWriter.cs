namespace L2LOnnx.Train.Data;

/// <summary>
/// Writes a data set in the CIFAR-10 binary batch format that <see cref="Cifar10BinaryReader"/> reads.
/// Real CIFAR-10 cannot always be downloaded (tests, offline machines), so small files in the same
/// format are written instead.
/// </summary>
public static class Cifar10BinaryWriter
{
    /// <summary>
    /// Writes every image of <paramref name="dataset"/> as one 3073-byte record (label, then the R, G and
    /// B planes). Pixels are stored as the nearest byte (<c>round(v * 255)</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The data set is not 3x32x32 with at most 10 classes.</exception>
    public static void Write(string path, ImageDataset dataset)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Channels != Cifar10BinaryReader.Channels || dataset.Rows != Cifar10BinaryReader.Side
            || dataset.Cols != Cifar10BinaryReader.Side || dataset.ClassCount > Cifar10BinaryReader.ClassCount)
            throw new ArgumentException(
                $"CIFAR-10 batches hold 3x32x32 images with labels 0-9; {dataset} does not fit.", nameof(dataset));

        var record = new byte[Cifar10BinaryReader.RecordBytes];
        using var file = File.Create(path);
        for (int i = 0; i < dataset.Count; i++)
        {
            record[0] = dataset.Labels[i];
            ReadOnlySpan<float> image = dataset.Image(i);
            for (int p = 0; p < image.Length; p++)
                record[1 + p] = ByteScale.ToByte(image[p]);
            file.Write(record);
        }
    }
}
