namespace L2LOnnx.MLNet.Mapping;

/// <summary>The standard binary-classification columns that ML.NET's evaluator reads.</summary>
public sealed class BinaryPrediction
{
    /// <summary>The logit (raw score).</summary>
    public float Score { get; set; }

    /// <summary>The probability of the positive class.</summary>
    public float Probability { get; set; }

    /// <summary>The predicted label (score above 0).</summary>
    public bool PredictedLabel { get; set; }
}
