using L2LOnnx.Train.Data;

namespace L2LOnnx.Train.Tests.Data;

/// <summary>
/// Real Fashion-MNIST from Debian's dataset-fashion-mnist. Skipped, with the reason, on machines without
/// the package, since it is installed by scripts/setup.sh rather than shipped with the repository.
/// </summary>
public sealed class FashionMnistTests
{
    [DataSetFact(DataSet.FashionMnist)]
    public void Train_Has60000Images()
    {
        var d = DataSets.FashionMnist();

        Assert.Equal("fashion-mnist-train", d.Name);
        Assert.Equal((60_000, 28, 28, 1, 10), (d.Count, d.Rows, d.Cols, d.Channels, d.ClassCount));
        AssertBalanced(d, 6000);
    }

    [DataSetFact(DataSet.FashionMnist)]
    public void Test_Has10000Images()
    {
        var d = DataSets.FashionMnist(train: false);

        Assert.Equal("fashion-mnist-test", d.Name);
        Assert.Equal((10_000, 28, 28, 1, 10), (d.Count, d.Rows, d.Cols, d.Channels, d.ClassCount));
        AssertBalanced(d, 1000);
        // First test item of Fashion-MNIST is an ankle boot (class 9), second a pullover (2).
        Assert.Equal(9, d.Labels[0]);
        Assert.Equal(2, d.Labels[1]);
        Assert.Equal(0f, d.Pixels.Min());
        Assert.Equal(1f, d.Pixels.Max());
    }

    private static void AssertBalanced(ImageDataset d, int perClass)
    {
        // Fashion-MNIST is exactly balanced in both splits.
        int[] counts = new int[10];
        foreach (byte label in d.Labels)
            counts[label]++;
        Assert.All(counts, c => Assert.Equal(perClass, c));
    }
}
