namespace L2LOnnx.Train.Evaluation;

/// <summary>Losses of one optimizer on one task, per step and per problem.</summary>
/// <param name="Optimizer">Display name of the optimizer, with its settings.</param>
/// <param name="Losses">Losses <c>[step, problem]</c>; step 0 is the starting point.</param>
public sealed record LossCurves(string Optimizer, float[,] Losses)
{
    /// <summary>Number of steps taken (the curves have one more point).</summary>
    public int Steps => Losses.GetLength(0) - 1;

    /// <summary>Number of problems.</summary>
    public int Problems => Losses.GetLength(1);

    /// <summary>Every problem's loss at <paramref name="step"/>.</summary>
    public double[] At(int step)
    {
        var values = new double[Problems];
        for (var p = 0; p < values.Length; p++) values[p] = Losses[step, p];
        return values;
    }

    /// <summary>Mean loss over problems at <paramref name="step"/>; NaN or infinite if any problem diverged.</summary>
    public double Mean(int step) => At(step).Average();

    /// <summary>Median loss over problems at <paramref name="step"/>.</summary>
    public double Median(int step) => Quantile(step, 0.5);

    /// <summary>
    /// The <paramref name="fraction"/> quantile over problems at <paramref name="step"/>, interpolated
    /// linearly between order statistics (R's type 7, numpy's default); a non-finite loss sorts last.
    /// </summary>
    public double Quantile(int step, double fraction) => Evaluation.Quantile.Of(At(step), fraction);

    /// <summary>Mean loss over problems at every step, 0..Steps.</summary>
    public double[] MeanCurve() => Enumerable.Range(0, Steps + 1).Select(Mean).ToArray();

    /// <summary>Median loss over problems at every step, 0..Steps.</summary>
    public double[] MedianCurve() => Enumerable.Range(0, Steps + 1).Select(Median).ToArray();

    /// <summary>The <paramref name="fraction"/> quantile over problems at every step, 0..Steps.</summary>
    public double[] QuantileCurve(double fraction) => Enumerable.Range(0, Steps + 1).Select(s => Quantile(s, fraction)).ToArray();

    /// <summary>
    /// Problems that diverged by step <paramref name="step"/>: a loss that is NaN or infinite at any step
    /// up to it, or a loss at it above the problem's starting loss.
    /// </summary>
    public int Divergences(int step)
    {
        var count = 0;
        for (var p = 0; p < Problems; p++)
        {
            var diverged = Losses[step, p] > Losses[0, p];
            for (var s = 0; s <= step && !diverged; s++) diverged = !float.IsFinite(Losses[s, p]);
            if (diverged) count++;
        }
        return count;
    }

    /// <summary>
    /// The first step, up to <paramref name="horizon"/>, at which the mean loss over problems is at or below
    /// <paramref name="target"/>; null if it never gets there (or the target is not finite).
    /// </summary>
    public int? StepsToReach(double target, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(horizon, Steps);
        if (!double.IsFinite(target)) return null;
        for (var step = 0; step <= horizon; step++)
            if (Mean(step) <= target) return step;
        return null;
    }
}
