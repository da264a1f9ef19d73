using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// Whole-split scoring shared by the image classifiers (<see cref="MlpFamily"/>, <see cref="ConvNetFamily"/>):
/// every problem's mean cross-entropy and accuracy over all images, one problem and one chunk of images
/// at a time so that activations stay bounded, without gradients.
/// </summary>
internal static class ImageClassifierScore
{
    /// <summary>
    /// Scores <paramref name="theta"/> [problems, <paramref name="dimension"/>] on every image of
    /// <paramref name="data"/>; <paramref name="logits"/> maps one problem's parameters [1, dimension] and a
    /// chunk (first image, image count) to that chunk's logits [count, classes].
    /// </summary>
    public static (double[] Loss, double[]? Accuracy) Compute(Tensor theta, int dimension, ImageTensors data,
        IEnumerable<(int Start, int Count)> chunks, Func<Tensor, int, int, Tensor> logits)
    {
        if (theta.dim() != 2 || theta.shape[1] != dimension)
            throw new ArgumentException($"expected parameters [problems, {dimension}], got [{string.Join(", ", theta.shape)}]", nameof(theta));
        var problems = (int)theta.shape[0];
        var loss = new double[problems];
        var accuracy = new double[problems];
        var ranges = chunks.ToArray();
        using var noGrad = no_grad();
        for (var p = 0; p < problems; p++)
            foreach (var (start, count) in ranges)
            {
                using var scope = NewDisposeScope();
                var chunkLogits = logits(theta.narrow(0, p, 1), start, count);
                var labels = data.Labels.narrow(0, start, count);
                loss[p] += nn.functional.cross_entropy(chunkLogits, labels, reduction: nn.Reduction.Sum).ToDouble();
                accuracy[p] += chunkLogits.argmax(1).eq(labels).sum().ToDouble();
            }
        for (var p = 0; p < problems; p++)
        {
            loss[p] /= data.Count;
            accuracy[p] /= data.Count;
        }
        return (loss, accuracy);
    }

    /// <summary>Consecutive chunks of <paramref name="size"/> images, the last one shorter if need be.</summary>
    public static IEnumerable<(int Start, int Count)> FixedChunks(int total, int size)
    {
        for (var start = 0; start < total; start += size)
            yield return (start, Math.Min(size, total - start));
    }

    /// <summary>About <paramref name="size"/> images per chunk, all chunks within one image of each other (never a small remainder).</summary>
    public static IEnumerable<(int Start, int Count)> EvenChunks(int total, int size)
    {
        var chunks = (total + size - 1) / size;
        for (var c = 0; c < chunks; c++)
        {
            var start = (int)((long)c * total / chunks);
            yield return (start, (int)((long)(c + 1) * total / chunks) - start);
        }
    }
}
