namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// A paired per-problem comparison of a candidate optimizer with a reference one on the same problems
/// (same starting points, same minibatches): how often the candidate ends lower, the mean of the
/// per-problem differences with its standard error, and the ratio of the two means.
/// </summary>
/// <param name="Problems">Number of paired problems.</param>
/// <param name="Wins">Problems on which the candidate's loss is strictly lower (ties are not wins; a
/// diverged candidate never wins, a diverged reference loses to any finite candidate).</param>
/// <param name="MeanDifference">Mean of candidate - reference over problems; NaN if either diverged on any problem.</param>
/// <param name="StandardError">Standard error of <see cref="MeanDifference"/>: the sample standard deviation
/// of the differences (n - 1 in the denominator) over sqrt(n); NaN with fewer than two problems or any divergence.</param>
/// <param name="RatioOfMeans">Candidate mean over reference mean; NaN if either is not finite or the reference mean is not positive.</param>
public sealed record PairedComparison(int Problems, int Wins, double MeanDifference, double StandardError, double RatioOfMeans)
{
    /// <summary>Compares <paramref name="candidate"/>[p] with <paramref name="reference"/>[p] for every problem p.</summary>
    /// <exception cref="ArgumentException">The two have different lengths or are empty.</exception>
    public static PairedComparison Compute(IReadOnlyList<double> candidate, IReadOnlyList<double> reference)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(reference);
        if (candidate.Count != reference.Count || candidate.Count == 0)
            throw new ArgumentException($"a paired comparison needs the same problems on both sides, got {candidate.Count} and {reference.Count} values");
        var n = candidate.Count;
        var wins = 0;
        double sumDifference = 0, sumCandidate = 0, sumReference = 0;
        for (var p = 0; p < n; p++)
        {
            double a = candidate[p], b = reference[p];
            if (double.IsFinite(a) && (!double.IsFinite(b) || a < b)) wins++;
            sumDifference += a - b;
            sumCandidate += a;
            sumReference += b;
        }
        var mean = sumDifference / n;
        var standardError = double.NaN;
        if (double.IsFinite(mean) && n > 1)
        {
            double squares = 0;
            for (var p = 0; p < n; p++)
            {
                var deviation = candidate[p] - reference[p] - mean;
                squares += deviation * deviation;
            }
            standardError = Math.Sqrt(squares / (n - 1) / n);
        }
        double meanCandidate = sumCandidate / n, meanReference = sumReference / n;
        var ratio = double.IsFinite(meanCandidate) && double.IsFinite(meanReference) && meanReference > 0 ? meanCandidate / meanReference : double.NaN;
        return new PairedComparison(n, wins, double.IsFinite(mean) ? mean : double.NaN, standardError, ratio);
    }
}
