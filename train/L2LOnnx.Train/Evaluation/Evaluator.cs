using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Evaluation;

/// <summary>Runs optimizers on evaluation tasks and records their loss curves.</summary>
public static class Evaluator
{
    /// <summary>
    /// Optimizes every problem of <paramref name="task"/> for <paramref name="steps"/> steps with
    /// <paramref name="optimizer"/> (bound to all problems' parameters at once) and records the losses.
    /// </summary>
    public static LossCurves Run(IEvaluationTask task, IVectorOptimizer optimizer, int steps) => Run(task, optimizer, steps, [], null);

    /// <summary>
    /// As <see cref="Run(IEvaluationTask, IVectorOptimizer, int)"/>, and hands the parameters of every
    /// problem at each of <paramref name="snapshots"/> to <paramref name="atSnapshot"/> (step, parameters
    /// [problems * dimension], valid during the call only). Once every problem's loss is NaN or infinite the
    /// run stops early: the remaining steps are recorded as NaN (nothing can recover from there).
    /// </summary>
    public static LossCurves Run(IEvaluationTask task, IVectorOptimizer optimizer, int steps, IReadOnlyCollection<int> snapshots, Action<int, float[]>? atSnapshot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
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
            var anyFinite = false;
            for (var p = 0; p < losses.Length; p++)
            {
                curves[step, p] = losses[p];
                anyFinite |= float.IsFinite(losses[p]);
            }
            if (atSnapshot is not null && snapshots.Contains(step)) atSnapshot(step, parameters);
            if (step == steps) break;
            if (!anyFinite)
            {
                for (var rest = step + 1; rest <= steps; rest++)
                    for (var p = 0; p < losses.Length; p++) curves[rest, p] = float.NaN;
                if (atSnapshot is not null)
                {
                    Array.Fill(parameters, float.NaN);
                    foreach (var snapshot in snapshots.Where(s => s > step && s <= steps).Order()) atSnapshot(snapshot, parameters);
                }
                break;
            }
            optimizer.Step(parameters, gradients);
        }
        return new LossCurves(optimizer.Name, curves);
    }
}
