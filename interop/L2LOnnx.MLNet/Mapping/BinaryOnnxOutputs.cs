using Microsoft.ML.Data;

namespace L2LOnnx.MLNet.Mapping;

/// <summary>Row type of the binary scoring graph's outputs (one-element vectors). Plumbing for <see cref="BinaryColumnsMapping"/>.</summary>
public sealed class BinaryOnnxOutputs
{
    /// <summary>The logit.</summary>
    [ColumnName(ColumnNames.ScoreVector), VectorType(1)]
    public float[] Score { get; set; } = [];

    /// <summary>The sigmoid of the logit.</summary>
    [ColumnName(ColumnNames.ProbabilityVector), VectorType(1)]
    public float[] Probability { get; set; } = [];

    /// <summary>Whether the logit is positive.</summary>
    [ColumnName(ColumnNames.PredictedLabelVector), VectorType(1)]
    public bool[] PredictedLabel { get; set; } = [];
}
