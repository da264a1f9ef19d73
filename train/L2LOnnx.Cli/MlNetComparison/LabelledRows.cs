using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// In-memory rows of a feature vector and a label, as the cached ML.NET data views every trainer of a
/// task reads (so that the data is loaded once, not once per trainer).
/// </summary>
internal static class LabelledRows
{
    /// <summary>Loads <paramref name="rows"/> as a cached data view whose <c>Features</c> column has <paramref name="dimension"/> values.</summary>
    public static IDataView Load<T>(MLContext ml, IEnumerable<T> rows, int dimension) where T : class
    {
        // ML.NET cannot tell a float[]'s length from the type; the trainers need a known-size vector column.
        var schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        return ml.Data.Cache(ml.Data.LoadFromEnumerable(rows.ToList(), schema));
    }

    /// <summary>A row with a text label (a class name), for the multiclass tasks.</summary>
    public sealed class TextLabelled
    {
        /// <summary>The feature vector.</summary>
        public float[] Features { get; set; } = [];

        /// <summary>The class name.</summary>
        public string Label { get; set; } = "";
    }

    /// <summary>A row with a true/false label, for the binary task.</summary>
    public sealed class BoolLabelled
    {
        /// <summary>The feature vector.</summary>
        public float[] Features { get; set; } = [];

        /// <summary>The class, true for the positive one.</summary>
        public bool Label { get; set; }
    }

    /// <summary>A row with a number label, for regression.</summary>
    public sealed class NumberLabelled
    {
        /// <summary>The feature vector.</summary>
        public float[] Features { get; set; } = [];

        /// <summary>The target.</summary>
        public float Label { get; set; }
    }
}
