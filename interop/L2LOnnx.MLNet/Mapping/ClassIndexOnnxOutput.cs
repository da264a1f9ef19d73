using Microsoft.ML.Data;

namespace L2LOnnx.MLNet.Mapping;

/// <summary>Row type of the multiclass scoring graph's predicted class (a one-element vector). Plumbing for <see cref="ClassIndexMapping"/>.</summary>
public sealed class ClassIndexOnnxOutput
{
    /// <summary>The 0-based index of the most probable class.</summary>
    [ColumnName(ColumnNames.ClassIndexVector), VectorType(1)]
    public float[] ClassIndex { get; set; } = [];
}
