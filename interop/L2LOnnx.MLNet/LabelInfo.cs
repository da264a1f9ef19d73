namespace L2LOnnx.MLNet;

/// <summary>What the model and its column adapters need to know about the label column.</summary>
/// <param name="Outputs">Logits per row: 1 for binary and regression, the class count for multiclass.</param>
/// <param name="ClassValues">Multiclass only: the label's key values in key order (class index i has value
/// <c>ClassValues[i]</c>), as a typed array (<c>string[]</c>, <c>float[]</c>, ...).</param>
internal sealed record LabelInfo(int Outputs, Array? ClassValues = null);
