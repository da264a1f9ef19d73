namespace L2LOnnx.MLNet.Mapping;

/// <summary>The standard regression column that ML.NET's evaluator reads.</summary>
public sealed class RegressionPrediction
{
    /// <summary>The predicted label value.</summary>
    public float Score { get; set; }
}
