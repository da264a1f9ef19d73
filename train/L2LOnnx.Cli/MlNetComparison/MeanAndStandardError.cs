namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// The mean of a few numbers and its standard error (the sample standard deviation over the square root of
/// the count), as the paired summary over seeds reports each difference.
/// </summary>
/// <param name="Mean">The mean; NaN when there are no values.</param>
/// <param name="StandardError">The standard error; NaN with fewer than two values, where no spread can be estimated.</param>
/// <param name="Count">How many values the mean is over.</param>
internal readonly record struct MeanAndStandardError(double Mean, double StandardError, int Count)
{
    /// <summary>The mean and standard error of <paramref name="values"/>.</summary>
    public static MeanAndStandardError Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return new(double.NaN, double.NaN, 0);
        var mean = values.Average();
        if (values.Count == 1) return new(mean, double.NaN, 1);
        // The sample (n - 1) variance: the mean is estimated from the same values.
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return new(mean, Math.Sqrt(variance / values.Count), values.Count);
    }

    /// <summary>
    /// Whether zero lies within two standard errors of the mean, i.e. the seeds cannot tell the difference
    /// from noise; false when the standard error is unknown (fewer than two values), which says nothing either way.
    /// </summary>
    public bool WithinTwoStandardErrorsOfZero => double.IsFinite(StandardError) && Math.Abs(Mean) <= 2 * StandardError;
}
