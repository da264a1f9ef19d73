namespace L2LOnnx.Train.Conformance;

/// <summary>
/// How the recorded values were confirmed by a second, independent implementation when they were
/// written (the TorchSharp network imported from the same file), or why that was not possible.
/// </summary>
/// <param name="Engine">The second implementation, or null when skipped.</param>
/// <param name="LargestDifference">Its largest relative difference from the recorded values, or null when skipped.</param>
/// <param name="Skipped">Why there was no cross-check, or null when there was one.</param>
public sealed record CrossCheck(string? Engine, double? LargestDifference, string? Skipped);
