using L2LOnnx.Train.Data;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// An <see cref="ImageDataset"/> copied once into tensors: pixels [images, channels * rows * cols] in
/// [0, 1] and labels [images] as int64, ready for minibatch gathers.
/// </summary>
public sealed class ImageTensors : IDisposable
{
    /// <summary>Copies <paramref name="data"/> into tensors (outside any dispose scope).</summary>
    public ImageTensors(ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException($"{data.Name} has no images", nameof(data));
        Name = data.Name;
        Count = data.Count;
        Channels = data.Channels;
        Rows = data.Rows;
        Cols = data.Cols;
        ClassCount = data.ClassCount;
        Pixels = tensor(data.Pixels, new long[] { data.Count, data.ImageSize }).DetachFromDisposeScope();
        Labels = tensor(data.Labels.Select(l => (long)l).ToArray()).DetachFromDisposeScope();
    }

    /// <summary>Name of the data set the tensors came from.</summary>
    public string Name { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Channels per image.</summary>
    public int Channels { get; }

    /// <summary>Image height.</summary>
    public int Rows { get; }

    /// <summary>Image width.</summary>
    public int Cols { get; }

    /// <summary>Values per image.</summary>
    public int ImageSize => Channels * Rows * Cols;

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Pixels [images, channels * rows * cols], float32 in [0, 1].</summary>
    public Tensor Pixels { get; }

    /// <summary>Class labels [images], int64.</summary>
    public Tensor Labels { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Pixels.Dispose();
        Labels.Dispose();
    }
}
