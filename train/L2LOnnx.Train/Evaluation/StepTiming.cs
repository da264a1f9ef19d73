using System.Diagnostics;
using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// Measures, on this machine, what one optimization step of one problem costs: the optimizee's loss and
/// gradient, and an optimizer's own update, each at the task's parameter count. The cost columns of the
/// reports multiply steps by their sum.
/// </summary>
public static class StepTiming
{
    /// <summary>How long each measurement runs at least, after a warm-up of the same length.</summary>
    public static TimeSpan Budget { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Median seconds of one loss-and-gradient evaluation of <paramref name="task"/> (all its problems).</summary>
    public static double Gradient(IEvaluationTask task)
    {
        var parameters = new float[task.ProblemCount * task.Dimension];
        var gradients = new float[parameters.Length];
        var losses = new float[task.ProblemCount];
        task.Initialize(parameters);
        var step = 0;
        return Median(() => task.Evaluate(parameters, step++, losses, gradients));
    }

    /// <summary>
    /// Median seconds of one <see cref="IVectorOptimizer.Step"/> of <paramref name="optimizer"/> on small
    /// random gradients (the optimizer's arithmetic does not depend on their values); the parameters it
    /// moves are scratch.
    /// </summary>
    public static double OptimizerStep(IVectorOptimizer optimizer)
    {
        var parameters = new float[optimizer.Length];
        var gradients = new float[optimizer.Length];
        var random = new Random(1);
        for (var i = 0; i < gradients.Length; i++) gradients[i] = (float)(random.NextDouble() - 0.5) * 1e-2f;
        return Median(() => optimizer.Step(parameters, gradients));
    }

    private static double Median(Action action)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Budget) action();
        var samples = new List<double>();
        clock.Restart();
        while (clock.Elapsed < Budget || samples.Count < 5)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return Quantile.Of(samples, 0.5);
    }
}
