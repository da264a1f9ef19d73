namespace L2LOnnx.Train.Conformance;

/// <summary>One recorded optimizer step: the gradient fed in and what a faithful engine must produce.</summary>
/// <param name="Grad">The raw gradient, [N].</param>
/// <param name="Update">The expected update, [N].</param>
/// <param name="StateAfter">
/// The expected state after the step, by state input name (<c>state_lstm0_h</c>, ...), each [N * S]
/// row-major; recorded on some steps only (to keep files small), null on the others.
/// </param>
public sealed record ConformanceStep(float[] Grad, float[] Update, IReadOnlyDictionary<string, float[]>? StateAfter);
