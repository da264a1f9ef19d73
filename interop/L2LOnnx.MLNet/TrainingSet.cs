using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet;

/// <summary>
/// The training rows held densely in memory: features row-major (<see cref="Dimension"/> per row) and one
/// loss target per row. Reading checks every value, so bad data fails before any training step.
/// </summary>
internal sealed class TrainingSet
{
    private TrainingSet(float[] features, float[] targets, int rows, int dimension)
    {
        Features = features;
        Targets = targets;
        Rows = rows;
        Dimension = dimension;
    }

    public float[] Features { get; }

    public float[] Targets { get; }

    public int Rows { get; }

    public int Dimension { get; }

    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * Dimension, Dimension);

    /// <exception cref="ArgumentOutOfRangeException">A feature is NaN or infinite, a label is out of range, or there are no rows.</exception>
    public static TrainingSet Read(IDataView data, DataViewSchema.Column features, int dimension, DataViewSchema.Column label, PredictionTask task)
    {
        var capacity = (int)Math.Min(data.GetRowCount() ?? 1024, int.MaxValue / dimension);
        var x = new float[Math.Max(capacity, 1) * dimension];
        var y = new float[Math.Max(capacity, 1)];
        var rows = 0;

        using (var cursor = data.GetRowCursor([features, label]))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            var readLabel = task.LabelReader(cursor, label);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                if (rows == y.Length)
                {
                    if ((long)rows * 2 * dimension > Array.MaxLength)
                        throw new InvalidOperationException($"the training data has more than {rows} rows of {dimension} features: too many to hold in memory as one array");
                    Array.Resize(ref y, rows * 2);
                    Array.Resize(ref x, rows * 2 * dimension);
                }
                getFeatures(ref buffer);
                var row = x.AsSpan(rows * dimension, dimension);
                Densify(buffer, row);
                CheckFinite(row, features.Name, cursor.Position);
                y[rows] = readLabel();
                rows++;
            }
        }

        if (rows == 0)
            throw new ArgumentOutOfRangeException(nameof(data), "the training data has no rows");
        if (rows != y.Length)
        {
            Array.Resize(ref y, rows);
            Array.Resize(ref x, rows * dimension);
        }
        return new TrainingSet(x, y, rows, dimension);
    }

    private static void Densify(in VBuffer<float> source, Span<float> row)
    {
        var values = source.GetValues();
        if (source.IsDense)
        {
            values.CopyTo(row);
            return;
        }
        row.Clear();
        var indices = source.GetIndices();
        for (var i = 0; i < values.Length; i++) row[indices[i]] = values[i];
    }

    private static void CheckFinite(ReadOnlySpan<float> row, string column, long position)
    {
        for (var slot = 0; slot < row.Length; slot++)
        {
            if (float.IsFinite(row[slot])) continue;
            throw new ArgumentOutOfRangeException("input",
                $"feature column '{column}' has {row[slot]} at row {position} (0-based), slot {slot}: features must be finite; " +
                "replace missing values first, e.g. mlContext.Transforms.ReplaceMissingValues(\"" + column + "\")");
        }
    }
}
