using Microsoft.ML;

namespace L2LOnnx.MLNet.Tests;

/// <summary>
/// Small seeded data sets whose answer is known: only feature 0 carries the label, the rest is noise, so
/// permutation feature importance must single it out. Also the Wisconsin breast-cancer table.
/// </summary>
internal static class Synthetic
{
    public sealed class Weighted
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        public float Weight { get; set; }
    }

    public sealed class Tumour
    {
        [Microsoft.ML.Data.LoadColumn(0, 29), Microsoft.ML.Data.VectorType(30)] public float[] Features { get; set; } = [];

        [Microsoft.ML.Data.LoadColumn(30)] public bool Label { get; set; }
    }

    /// <summary>Label = feature 0 &gt; 0 (flipped for 5% of rows); features 1-3 are independent noise.</summary>
    public static IDataView Binary(MLContext ml, int rows, int seed) =>
        Rows.Load(ml, Draw(rows, seed, (x, r) => new Rows.Binary { Features = x, Label = (x[0] > 0) ^ (r.NextDouble() < 0.05) }), 4);

    /// <summary>Label = 3 x0 + 1 + small noise; features 1-3 are independent noise.</summary>
    public static IDataView Regression(MLContext ml, int rows, int seed) =>
        Rows.Load(ml, Draw(rows, seed, (x, r) => new Rows.Numeric { Features = x, Label = 3 * x[0] + 1 + 0.1f * Gaussian(r) }), 4);

    /// <summary>Three classes 10, 20, 30 (as Single) by where feature 0 falls; features 1-3 are noise.</summary>
    public static IDataView ThreeClasses(MLContext ml, int rows, int seed) =>
        Rows.Load(ml, Draw(rows, seed, (x, _) => new Rows.Numeric { Features = x, Label = x[0] < -0.5f ? 10 : x[0] < 0.5f ? 20 : 30 }), 4);

    /// <summary>Debian's python3-sklearn table: 569 tumours, 30 measurements, label 1 = benign.</summary>
    public static IDataView BreastCancer(MLContext ml) =>
        ml.Data.LoadFromTextFile<Tumour>(Path.Combine(DataSetFiles.SklearnDirectory, "breast_cancer.csv"), separatorChar: ',', hasHeader: true);

    private static List<T> Draw<T>(int rows, int seed, Func<float[], Random, T> row)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => row(Enumerable.Range(0, 4).Select(_ => Gaussian(random)).ToArray(), random)).ToList();
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
