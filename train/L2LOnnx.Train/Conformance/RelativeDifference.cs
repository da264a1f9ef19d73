namespace L2LOnnx.Train.Conformance;

/// <summary>
/// The measure every comparison in the interop layer uses: <c>|expected - actual| / max(1, |expected|)</c>,
/// relative for large values and absolute near zero, so one tolerance (1e-5) fits updates, hidden
/// states in (-1, 1) and cell states that grow past 1 alike.
/// </summary>
public static class RelativeDifference
{
    /// <summary>The difference of one pair of values; NaN on either side counts as infinitely different unless both are NaN.</summary>
    public static double Of(float expected, float actual)
    {
        if (float.IsNaN(expected) || float.IsNaN(actual))
            return float.IsNaN(expected) && float.IsNaN(actual) ? 0 : double.PositiveInfinity;
        if (expected == actual) return 0;
        return Math.Abs((double)expected - actual) / Math.Max(1.0, Math.Abs((double)expected));
    }

    /// <summary>The largest difference over two equally long vectors, and the index where it occurs.</summary>
    public static (double Difference, int Index) Largest(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
            throw new ArgumentException($"cannot compare {expected.Length} expected values with {actual.Length} actual ones", nameof(actual));
        var worst = (Difference: 0.0, Index: -1);
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Of(expected[i], actual[i]);
            if (difference > worst.Difference || worst.Index < 0) worst = (difference, i);
        }
        return worst;
    }
}
