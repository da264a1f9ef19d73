using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Onnx;

namespace L2LOnnx.Train.Inspection;

/// <summary>One row of an <see cref="UpdateTrace"/>: where a learned optimizer's run stands after <see cref="Step"/> steps.</summary>
/// <param name="Step">Steps taken.</param>
/// <param name="MeanLoss">Mean minibatch loss over the problems at the last step.</param>
/// <param name="ParameterNorm">Euclidean norm of all problems' parameters together.</param>
/// <param name="UpdateNorm">Norm of the last step's update.</param>
/// <param name="DriftNorm">Norm of the parameters' distance from their starting point.</param>
/// <param name="TopDriftShare">
/// Share of the squared drift held by the 5 % of coordinates that moved farthest: 0.05 when every coordinate
/// moved alike, near 1 when a few coordinates carry the run away.
/// </param>
/// <param name="LogStep">The learned log step's mean and the shares of coordinates at its floor and ceiling; null for files without one.</param>
public sealed record TraceRow(int Step, double MeanLoss, double ParameterNorm, double UpdateNorm, double DriftNorm, double TopDriftShare, LogStepSummary? LogStep);

/// <summary>The learned log step of a step-adapting MLP across coordinates (<see cref="TraceRow.LogStep"/>).</summary>
/// <param name="Mean">Mean over coordinates.</param>
/// <param name="AtFloor">Share of coordinates within 0.01 of the lower clip.</param>
/// <param name="AtCeiling">Share of coordinates within 0.01 of the upper clip.</param>
/// <param name="CeilingDriftShare">Share of the squared drift held by the coordinates at the ceiling.</param>
public sealed record LogStepSummary(double Mean, double AtFloor, double AtCeiling, double CeilingDriftShare);

/// <summary>
/// <c>l2l trace</c>: runs a learned optimizer file on a few problems and reports, every so many steps, the
/// loss, how far and how unevenly the parameters moved, and (for the step-adapting MLP) where its learned
/// log step sits: the measurements that show a learned step rule drifting past its meta-training horizon.
/// </summary>
/// <remarks>
/// The learned log step is the last column of <c>state_features</c> in files of the MLP family with step
/// adaptation; the trace finds its bounds with <see cref="MlpOptimizerExporter.LogStepBounds"/> and reports
/// nothing for other files.
/// </remarks>
public static class UpdateTrace
{
    /// <summary>The coordinates whose share of the drift <see cref="TraceRow.TopDriftShare"/> reports.</summary>
    public const double TopFraction = 0.05;

    private const double BoundTolerance = 0.01;

    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="task"/> for <paramref name="steps"/> steps and returns a row
    /// after every <paramref name="every"/> steps (and after the last).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public static IReadOnlyList<TraceRow> Run(string model, IEvaluationTask task, int steps, int every, int threads = 1, Action<TraceRow>? onRow = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        var bytes = File.ReadAllBytes(model);
        // Load first: it checks the file (contract, hashes) and says what is wrong with a bad one.
        using var optimizer = LearnedOptimizer.Load(bytes, new LearnedOptimizerOptions { IntraOpThreads = threads, NonFiniteGradients = NonFiniteGradientPolicy.SkipCoordinates });
        var bounds = MlpOptimizerExporter.LogStepBounds(OnnxModelReader.Read(bytes).Graph);
        var n = task.ProblemCount * task.Dimension;
        using var state = optimizer.CreateState(n);
        var parameters = new float[n];
        var gradients = new float[n];
        var before = new float[n];
        var losses = new float[task.ProblemCount];
        task.Initialize(parameters);
        var start = (float[])parameters.Clone();
        var rows = new List<TraceRow>();
        for (var t = 0; t < steps; t++)
        {
            var report = (t + 1) % every == 0 || t + 1 == steps;
            task.Evaluate(parameters, t, losses, gradients);
            // Only a reported step needs the parameters before it (for the update's norm).
            if (report) parameters.CopyTo(before, 0);
            optimizer.Step(parameters, gradients, state);
            if (!report) continue;
            var row = Summarise(t + 1, losses, parameters, before, start, bounds is { } b ? (state.Read(0), b.Min, b.Max) : null);
            rows.Add(row);
            onRow?.Invoke(row);
        }
        return rows;
    }

    private static TraceRow Summarise(int step, float[] losses, float[] parameters, float[] before, float[] start, (float[] State, float Min, float Max)? logSteps)
    {
        var n = parameters.Length;
        double parameterNorm = 0, updateNorm = 0, driftNorm = 0;
        var drift = new double[n];
        for (var i = 0; i < n; i++)
        {
            double p = parameters[i], u = p - before[i], d = p - start[i];
            parameterNorm += p * p;
            updateNorm += u * u;
            drift[i] = d * d;
            driftNorm += d * d;
        }
        var sorted = (double[])drift.Clone();
        Array.Sort(sorted);
        var top = Math.Max(1, (int)Math.Ceiling(n * TopFraction));
        double topDrift = 0;
        for (var i = n - top; i < n; i++) topDrift += sorted[i];
        LogStepSummary? summary = null;
        if (logSteps is var (state, min, max))
        {
            var columns = state.Length / n;
            double sum = 0, ceilingDrift = 0;
            int atFloor = 0, atCeiling = 0;
            for (var i = 0; i < n; i++)
            {
                var l = state[i * columns + columns - 1];
                sum += l;
                if (l <= min + BoundTolerance) atFloor++;
                if (l >= max - BoundTolerance) { atCeiling++; ceilingDrift += drift[i]; }
            }
            summary = new LogStepSummary(sum / n, atFloor / (double)n, atCeiling / (double)n, driftNorm > 0 ? ceilingDrift / driftNorm : 0);
        }
        return new TraceRow(step, losses.Average(), Math.Sqrt(parameterNorm), Math.Sqrt(updateNorm), Math.Sqrt(driftNorm),
            driftNorm > 0 ? topDrift / driftNorm : 0, summary);
    }
}
