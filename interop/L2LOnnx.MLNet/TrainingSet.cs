using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet;

/// <summary>
/// The training rows held densely in memory: features row-major (<see cref="Dimension"/> per row), one
/// loss target and one example weight per row. Reading checks every value, so bad data fails before any
/// training step.
/// </summary>
internal sealed class TrainingSet
{
    private TrainingSet(float[] features, float[] targets, float[] weights, int rows, int dimension)
    {
        Features = features;
        Targets = targets;
        Weights = weights;
        Rows = rows;
        Dimension = dimension;
    }

    public float[] Features { get; }

    public float[] Targets { get; }

    /// <summary>
    /// Example weights divided by their mean, so they average 1: a minibatch's weighted mean loss is then an
    /// unbiased estimate of the weighted mean over all rows, and without a weight column every weight is exactly 1.
    /// </summary>
    public float[] Weights { get; }

    public int Rows { get; }

    public int Dimension { get; }

    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * Dimension, Dimension);

    /// <exception cref="ArgumentOutOfRangeException">A feature is NaN or infinite, a label is out of range, a weight is negative or not finite, all weights are 0, or there are no rows.</exception>
    public static TrainingSet Read(IDataView data, DataViewSchema.Column features, int dimension, DataViewSchema.Column label, DataViewSchema.Column? weight, PredictionTask task)
    {
        var capacity = (int)Math.Min(data.GetRowCount() ?? 1024, int.MaxValue / dimension);
        var x = new float[Math.Max(capacity, 1) * dimension];
        var y = new float[Math.Max(capacity, 1)];
        var w = new float[y.Length];
        var rows = 0;

        using (var cursor = data.GetRowCursor(weight is { } c ? [features, label, c] : [features, label]))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            var readLabel = task.LabelReader(cursor, label);
            var readWeight = weight is { } column ? WeightReader(cursor, column) : () => 1f;
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                if (rows == y.Length)
                {
                    if ((long)rows * 2 * dimension > Array.MaxLength)
                        throw new InvalidOperationException($"the training data has more than {rows} rows of {dimension} features: too many to hold in memory as one array");
                    Array.Resize(ref y, rows * 2);
                    Array.Resize(ref w, rows * 2);
                    Array.Resize(ref x, rows * 2 * dimension);
                }
                getFeatures(ref buffer);
                var row = x.AsSpan(rows * dimension, dimension);
                Densify(buffer, row);
                CheckFinite(row, features.Name, cursor.Position);
                y[rows] = readLabel();
                w[rows] = readWeight();
                rows++;
            }
        }

        if (rows == 0)
            throw new ArgumentOutOfRangeException(nameof(data), "the training data has no rows");
        if (rows != y.Length)
        {
            Array.Resize(ref y, rows);
            Array.Resize(ref w, rows);
            Array.Resize(ref x, rows * dimension);
        }
        if (weight is { } weightColumn) Normalize(w, weightColumn.Name);
        return new TrainingSet(x, y, w, rows, dimension);
    }

    /// <summary>Subtracts each feature's weighted mean from it, in place; returns the means.</summary>
    public float[] CenterFeatures()
    {
        var sums = new double[Dimension];
        for (var r = 0; r < Rows; r++)
        {
            var row = Row(r);
            for (var d = 0; d < Dimension; d++) sums[d] += Weights[r] * row[d];
        }
        var mean = sums.Select(sum => (float)(sum / Rows)).ToArray();
        for (var r = 0; r < Rows; r++)
        {
            var row = Features.AsSpan(r * Dimension, Dimension);
            for (var d = 0; d < Dimension; d++) row[d] -= mean[d];
        }
        return mean;
    }

    /// <summary>The weighted mean of <paramref name="values"/> and their weighted standard deviation.</summary>
    public (double Mean, double StandardDeviation) WeightedMoments(float[] values)
    {
        double mean = 0, square = 0;
        for (var i = 0; i < Rows; i++) mean += Weights[i] * values[i];
        mean /= Rows;
        for (var i = 0; i < Rows; i++) square += Weights[i] * (values[i] - mean) * (values[i] - mean);
        return (mean, Math.Sqrt(square / Rows));
    }

    private static Func<float> WeightReader(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<float>(column);
        var value = 0f;
        return () =>
        {
            getter(ref value);
            if (!(value >= 0) || float.IsPositiveInfinity(value))
                throw new ArgumentOutOfRangeException("input",
                    $"example-weight column '{column.Name}' is {value} at row {row.Position} (0-based): weights must be finite and >= 0; " +
                    "filter such rows out (mlContext.Data.FilterRowsByMissingValues or FilterRowsByColumn) before training");
            return value;
        };
    }

    private static void Normalize(float[] weights, string column)
    {
        double sum = 0;
        foreach (var v in weights) sum += v;
        if (!(sum > 0))
            throw new ArgumentOutOfRangeException("input", $"example-weight column '{column}' is 0 in every row: at least one row must weigh more than 0");
        var scale = weights.Length / sum;
        for (var i = 0; i < weights.Length; i++) weights[i] = (float)(weights[i] * scale);
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
