using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Evaluation;

/// <summary>Losses of one optimizer on one task, per step and per problem.</summary>
/// <param name="Optimizer">Display name of the optimizer, with its settings.</param>
/// <param name="Losses">Losses <c>[step, problem]</c>; step 0 is the starting point.</param>
public sealed record LossCurves(string Optimizer, float[,] Losses)
{
    /// <summary>Number of steps taken (the curves have one more point).</summary>
    public int Steps => Losses.GetLength(0) - 1;

    /// <summary>Mean loss over problems at <paramref name="step"/>; NaN if any problem diverged.</summary>
    public double Mean(int step)
    {
        double sum = 0;
        var problems = Losses.GetLength(1);
        for (var p = 0; p < problems; p++) sum += Losses[step, p];
        return sum / problems;
    }

    /// <summary>Median loss over problems at <paramref name="step"/>.</summary>
    public double Median(int step)
    {
        var problems = Losses.GetLength(1);
        var values = new double[problems];
        for (var p = 0; p < problems; p++) values[p] = Losses[step, p];
        Array.Sort(values);
        return problems % 2 == 1 ? values[problems / 2] : (values[problems / 2 - 1] + values[problems / 2]) / 2;
    }

    /// <summary>
    /// The <paramref name="q"/>-quantile of the loss over problems at <paramref name="step"/>, linearly
    /// interpolated between order statistics (so q = 0.5 is <see cref="Median"/>, 0.25 and 0.75 bound the
    /// interquartile range).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="q"/> is outside [0, 1].</exception>
    public double Quantile(int step, double q)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile lies in [0, 1]");
        var problems = Losses.GetLength(1);
        var values = new double[problems];
        for (var p = 0; p < problems; p++) values[p] = Losses[step, p];
        Array.Sort(values);
        var position = q * (problems - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, problems - 1);
        return values[below] + (position - below) * (values[above] - values[below]);
    }

    /// <summary>The <paramref name="q"/>-quantile (<see cref="Quantile"/>) at every step, 0..Steps.</summary>
    public double[] QuantileCurve(double q) => Enumerable.Range(0, Steps + 1).Select(step => Quantile(step, q)).ToArray();

    /// <summary>Mean loss over problems at every step, 0..Steps.</summary>
    public double[] MeanCurve() => Enumerable.Range(0, Steps + 1).Select(Mean).ToArray();

    /// <summary>Median loss over problems at every step, 0..Steps.</summary>
    public double[] MedianCurve() => Enumerable.Range(0, Steps + 1).Select(Median).ToArray();
}

/// <summary>Runs optimizers on evaluation tasks and records their loss curves.</summary>
public static class Evaluator
{
    /// <summary>
    /// Optimizes every problem of <paramref name="task"/> for <paramref name="steps"/> steps with
    /// <paramref name="optimizer"/> (bound to all problems' parameters at once) and records the losses.
    /// </summary>
    public static LossCurves Run(IEvaluationTask task, IVectorOptimizer optimizer, int steps)
    {
        var length = task.ProblemCount * task.Dimension;
        if (optimizer.Length != length)
            throw new ArgumentException($"the optimizer is bound to {optimizer.Length} coordinates, the task has {length}", nameof(optimizer));
        var parameters = new float[length];
        var gradients = new float[length];
        var losses = new float[task.ProblemCount];
        var curves = new float[steps + 1, task.ProblemCount];
        task.Initialize(parameters);
        for (var step = 0; ; step++)
        {
            task.Evaluate(parameters, step, losses, gradients);
            for (var p = 0; p < losses.Length; p++) curves[step, p] = losses[p];
            if (step == steps) break;
            optimizer.Step(parameters, gradients);
        }
        return new LossCurves(optimizer.Name, curves);
    }
}
