using Microsoft.ML.Data;

namespace L2LOnnx.MLNet.Mapping;

/// <summary>The predicted class index as a scalar, which the label-value mapping turns into <c>PredictedLabel</c>.</summary>
public sealed class ClassIndex
{
    /// <summary>The 0-based index of the most probable class.</summary>
    [ColumnName(ColumnNames.ClassIndex)]
    public float Index { get; set; }
}
