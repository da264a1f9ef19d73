using Microsoft.ML.Data;

namespace L2LOnnx.MLNet.Mapping;

/// <summary>Row type of the regression scoring graph's output (a one-element vector). Plumbing for <see cref="RegressionColumnsMapping"/>.</summary>
public sealed class ScoreOnnxOutput
{
    /// <summary>The prediction.</summary>
    [ColumnName(ColumnNames.ScoreVector), VectorType(1)]
    public float[] Score { get; set; } = [];
}
