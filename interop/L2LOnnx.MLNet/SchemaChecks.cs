using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet;

/// <summary>Finds the columns a trainer needs, with errors that name the column and say what to do.</summary>
internal static class SchemaChecks
{
    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string role)
    {
        return schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema),
            $"{role} column '{name}' not found in the input data; its columns are: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}");
    }

    public static SchemaShape.Column Find(SchemaShape schema, string name, string role)
    {
        if (TryFind(schema, name, out var column)) return column;
        throw new ArgumentOutOfRangeException(nameof(schema),
            $"{role} column '{name}' not found in the input schema; its columns are: {string.Join(", ", schema.Select(c => $"'{c.Name}'"))}");
    }

    /// <summary>The column of <paramref name="schema"/> named <paramref name="name"/> (SchemaShape's own lookup is internal).</summary>
    public static bool TryFind(SchemaShape schema, string name, out SchemaShape.Column column)
    {
        foreach (var candidate in schema)
        {
            if (candidate.Name != name) continue;
            column = candidate;
            return true;
        }
        column = default;
        return false;
    }

    /// <summary>The feature column and its length; it must be a known-size vector of Single.</summary>
    public static (DataViewSchema.Column Column, int Length) Features(DataViewSchema schema, string name)
    {
        var column = Find(schema, name, "feature");
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: > 0 and var size } || item != NumberDataViewType.Single)
            throw FeatureTypeError(name, $"{column.Type}");
        return (column, size);
    }

    public static void Features(SchemaShape schema, string name)
    {
        var column = Find(schema, name, "feature");
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single || column.IsKey)
            throw FeatureTypeError(name, $"{column.Kind} of {column.ItemType}{(column.IsKey ? " key" : "")}");
    }

    /// <summary>The example-weight column, if one is named; it must be a Single scalar.</summary>
    public static DataViewSchema.Column? Weight(DataViewSchema schema, string? name)
    {
        if (name is null) return null;
        var column = Find(schema, name, "example-weight");
        if (column.Type != NumberDataViewType.Single) throw WeightTypeError(name, $"{column.Type}");
        return column;
    }

    public static void Weight(SchemaShape schema, string? name)
    {
        if (name is null) return;
        var column = Find(schema, name, "example-weight");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single || column.IsKey)
            throw WeightTypeError(name, $"{column.Kind} of {column.ItemType}{(column.IsKey ? " key" : "")}");
    }

    private static ArgumentOutOfRangeException WeightTypeError(string name, string actual) => new("inputSchema",
        $"example-weight column '{name}' has type {actual}, but the trainer needs a Single scalar: " +
        $"convert it with mlContext.Transforms.Conversion.ConvertType(\"{name}\", outputKind: DataKind.Single)");

    private static ArgumentOutOfRangeException FeatureTypeError(string name, string actual) => new("inputSchema",
        $"feature column '{name}' has type {actual}, but the trainer needs a known-size vector of Single: " +
        $"build it with mlContext.Transforms.Concatenate(\"{name}\", ...) from numeric columns (and ConvertType for non-Single ones)");
}
