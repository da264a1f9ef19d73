using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet;

/// <summary>
/// The multiclass label's key values (e.g. the strings a <c>MapValueToKey</c> saw), so that
/// <c>PredictedLabel</c> gets the same key values and <c>MapKeyToValue("PredictedLabel")</c> gives back
/// the original labels.
/// </summary>
internal static class ClassValues
{
    /// <summary>ML.NET's name for a key column's values annotation (its constant is internal).</summary>
    private const string KeyValuesAnnotation = "KeyValues";

    /// <summary>Key-value item types the predicted label can carry.</summary>
    private static readonly Type[] Supported =
        [typeof(ReadOnlyMemory<char>), typeof(float), typeof(double), typeof(int), typeof(long), typeof(uint), typeof(ulong), typeof(bool)];

    /// <summary>The label's key values in key order, or the class indices 0..K-1 when it has none.</summary>
    public static Array Read(DataViewSchema.Column label, int classCount)
    {
        var annotation = label.Annotations.Schema.GetColumnOrNull(KeyValuesAnnotation);
        if (annotation is null) return Enumerable.Range(0, classCount).Select(i => (uint)i).ToArray();
        var raw = CheckSupported(label.Name, ((VectorDataViewType)annotation.Value.Type).ItemType.RawType);
        return raw switch
        {
            _ when raw == typeof(ReadOnlyMemory<char>) => Values<ReadOnlyMemory<char>>(label).Select(v => v.ToString()).ToArray(),
            _ when raw == typeof(float) => Values<float>(label),
            _ when raw == typeof(double) => Values<double>(label),
            _ when raw == typeof(int) => Values<int>(label),
            _ when raw == typeof(long) => Values<long>(label),
            _ when raw == typeof(uint) => Values<uint>(label),
            _ when raw == typeof(ulong) => Values<ulong>(label),
            _ => Values<bool>(label),
        };
    }

    /// <summary>A one-element array of the label's key-value type, enough for schema propagation.</summary>
    public static Array Placeholder(SchemaShape.Column label)
    {
        if (!SchemaChecks.TryFind(label.Annotations, KeyValuesAnnotation, out var annotation)) return new uint[1];
        var raw = CheckSupported(label.Name, annotation.ItemType.RawType);
        return raw == typeof(ReadOnlyMemory<char>) ? new[] { "" } : Array.CreateInstance(raw, 1);
    }

    /// <summary>A <c>MapValue</c> from the scalar class index to <c>PredictedLabel</c>, a key whose values are <paramref name="values"/>.</summary>
    public static IEstimator<ITransformer> MapIndexToLabel(MLContext ml, Array values) => values switch
    {
        string[] v => MapIndexToLabel(ml, v),
        float[] v => MapIndexToLabel(ml, v),
        double[] v => MapIndexToLabel(ml, v),
        int[] v => MapIndexToLabel(ml, v),
        long[] v => MapIndexToLabel(ml, v),
        uint[] v => MapIndexToLabel(ml, v),
        ulong[] v => MapIndexToLabel(ml, v),
        bool[] v => MapIndexToLabel(ml, v),
        _ => throw new ArgumentException($"unsupported class value type {values.GetType().GetElementType()}", nameof(values)),
    };

    /// <summary>
    /// Class index → label value (<c>MapValue</c>), then value → key over exactly <paramref name="values"/> in
    /// their order (<c>MapValueToKey</c> with key data), so key i + 1 gets values[i] and the key values keep the
    /// label's own type: a Single label comes back as Single after <c>MapKeyToValue</c>, as with ML.NET's
    /// trainers (<c>MapValue</c>'s own key option would make them text).
    /// </summary>
    private static IEstimator<ITransformer> MapIndexToLabel<T>(MLContext ml, T[] values)
    {
        var keys = ml.Data.LoadFromEnumerable(values.Select(value => new KeyValue<T> { Value = value }).ToList());
        return ml.Transforms.Conversion.MapValue(ColumnNames.ClassValue, values.Select((value, index) => new KeyValuePair<float, T>(index, value)), ColumnNames.ClassIndex)
            .Append(ml.Transforms.Conversion.MapValueToKey(ColumnNames.PredictedLabel, ColumnNames.ClassValue, keyData: keys))
            .Append(ml.Transforms.DropColumns(ColumnNames.ClassValue));
    }

    /// <summary>Row type of the key data: one label value.</summary>
    private sealed class KeyValue<T>
    {
        public T Value { get; set; } = default!;
    }

    private static T[] Values<T>(DataViewSchema.Column label)
    {
        VBuffer<T> values = default;
        label.GetKeyValues(ref values);
        return values.DenseValues().ToArray();
    }

    private static Type CheckSupported(string column, Type raw)
    {
        if (Array.IndexOf(Supported, raw) < 0)
            throw new ArgumentOutOfRangeException("inputSchema",
                $"label column '{column}' has key values of type {raw.Name}; the predicted label supports text, numeric and Boolean key values");
        return raw;
    }
}
