namespace L2LOnnx.MLNet;

/// <summary>
/// Names of the columns the fitted model produces. The standard ones are what ML.NET's evaluators look
/// for; the internal ones carry the ONNX graph's outputs to the column adapters and are dropped after.
/// </summary>
public static class ColumnNames
{
    /// <summary>The raw score (binary: logit; regression: prediction; multiclass: class probabilities).</summary>
    public const string Score = "Score";

    /// <summary>The calibrated probability of the positive class (binary).</summary>
    public const string Probability = "Probability";

    /// <summary>The predicted label: Boolean for binary, a key of the label's key type for multiclass.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>Prefix of the internal columns; they do not survive the fitted transformer.</summary>
    public const string InternalPrefix = "L2L.";

    /// <summary>ONNX output: the score as a one-element vector.</summary>
    public const string ScoreVector = InternalPrefix + "Score";

    /// <summary>ONNX output: the probability as a one-element vector.</summary>
    public const string ProbabilityVector = InternalPrefix + "Probability";

    /// <summary>ONNX output: the predicted Boolean label as a one-element vector.</summary>
    public const string PredictedLabelVector = InternalPrefix + "PredictedLabel";

    /// <summary>ONNX output: the 0-based index of the predicted class as a one-element vector.</summary>
    public const string ClassIndexVector = InternalPrefix + "ClassIndexVector";

    /// <summary>The 0-based index of the predicted class as a scalar.</summary>
    public const string ClassIndex = InternalPrefix + "ClassIndex";

    /// <summary>The predicted class's label value, before it becomes a key.</summary>
    public const string ClassValue = InternalPrefix + "ClassValue";

    /// <summary>ONNX output: every fitted parameter, in the trainer's layout (see <see cref="LearnedModelParameters"/>); read only to restore a loaded model.</summary>
    public const string Parameters = InternalPrefix + "Parameters";

    /// <summary>ONNX output: the model record (shape, feature column, training report) as JSON; read only to restore a loaded model.</summary>
    public const string Record = InternalPrefix + "Record";
}
