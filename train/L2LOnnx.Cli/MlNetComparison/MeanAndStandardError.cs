using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// A paired difference over seeds as the summary reports it: its mean and standard error (the sample
/// standard deviation over the square root of the count), and how many seeds it is over.
/// </summary>
/// <param name="Mean">The mean; NaN when there are no values.</param>
/// <param name="StandardError">The standard error; NaN with fewer than two values, where no spread can be estimated.</param>
/// <param name="Count">How many values the mean is over.</param>
internal readonly record struct MeanAndStandardError(double Mean, double StandardError, int Count)
{
    /// <summary>No paired seed at all.</summary>
    public static MeanAndStandardError None { get; } = new(double.NaN, double.NaN, 0);

    /// <summary>
    /// The mean difference of a paired comparison with its standard error: the protocol's own statistic
    /// (<see cref="PairedComparison"/>), so that the ML.NET summary and <c>l2l evaluate</c> cannot disagree on it.
    /// </summary>
    public static MeanAndStandardError From(PairedComparison paired) => new(paired.MeanDifference, paired.StandardError, paired.Problems);

    /// <summary>
    /// Whether zero lies within two standard errors of the mean, i.e. the seeds cannot tell the difference
    /// from noise; false when the standard error is unknown (fewer than two values), which says nothing either way.
    /// </summary>
    public bool WithinTwoStandardErrorsOfZero => double.IsFinite(StandardError) && Math.Abs(Mean) <= 2 * StandardError;
}
