namespace L2LOnnx.Train.Evaluation;

/// <summary>Quantiles of a sample, interpolated as R's type 7 and numpy's default do.</summary>
public static class Quantile
{
    /// <summary>
    /// The <paramref name="fraction"/> quantile of <paramref name="values"/> (0 = minimum, 0.5 = median,
    /// 1 = maximum). NaN sorts above +infinity, so diverged problems land in the upper tail.
    /// </summary>
    public static double Of(IReadOnlyList<double> values, double fraction)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("the quantile of no values is undefined", nameof(values));
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in [0, 1]");
        var sorted = values.Select(v => double.IsNaN(v) ? double.PositiveInfinity : v).Order().ToArray();
        var position = fraction * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        var weight = position - low;
        // Interpolating towards infinity would give NaN for weight 0: take the order statistic itself.
        return weight == 0 || sorted[low] == sorted[high] ? sorted[low] : sorted[low] + weight * (sorted[high] - sorted[low]);
    }
}
