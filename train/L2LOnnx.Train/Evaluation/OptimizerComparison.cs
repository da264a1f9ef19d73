using System.Diagnostics;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// What <see cref="OptimizerComparison.Run"/> measured: the learned optimizer's curves first, then one per
/// tuned baseline (in <see cref="Tuned"/>'s order), on <see cref="TaskName"/>'s held-out problems.
/// </summary>
/// <param name="TaskName">The evaluation task, e.g. <c>quadratic-10d</c>.</param>
/// <param name="Curves">The learned optimizer's loss curves, then each baseline's.</param>
/// <param name="Tuned">The tuned baselines, in the order of <paramref name="Curves"/>[1..].</param>
public sealed record Comparison(string TaskName, IReadOnlyList<LossCurves> Curves, IReadOnlyList<TunedBaseline> Tuned);

/// <summary>
/// The paper's comparison: a learned optimizer (contract-v1 files run through the runtime) against
/// SGD, NAG, RMSprop and Adam, each tuned on problems from the training distribution, all on the same
/// held-out problems. What <c>l2l evaluate</c>, <c>l2l results</c> and <c>l2l quickstart</c> run.
/// </summary>
public static class OptimizerComparison
{
    /// <summary>
    /// One sentence on what <see cref="Run"/> with these arguments evaluates and tunes on (the task's
    /// name comes from <paramref name="problem"/>).
    /// </summary>
    public static string Describe(IReadOnlyList<string> models, ProblemSpec problem, int problems, int steps, int seed, string taskName) =>
        $"evaluating {string.Join(", ", models)} on {problems} held-out {taskName} problems, {steps} steps (seed {seed + 1}); " +
        $"baselines tuned on {problems} training problems (seed {seed}); {problem.DescribeSplit()}";

    /// <summary>
    /// Runs the learned optimizer in <paramref name="models"/> and every baseline, each tuned on as many
    /// training problems (seed <paramref name="seed"/>), on <paramref name="problems"/> held-out problems
    /// (seed <paramref name="seed"/> + 1) for <paramref name="steps"/> steps.
    /// </summary>
    /// <param name="models">One contract-v1 file for every parameter, or <c>group=file</c> per parameter group.</param>
    /// <param name="problem">The problem family.</param>
    /// <param name="problems">Held-out problems, and as many tuning problems.</param>
    /// <param name="steps">Optimizee steps of every run.</param>
    /// <param name="seed">The tuning problems' seed; the held-out ones use the next.</param>
    /// <param name="threads">CPU threads for TorchSharp and ONNX Runtime (0 = all cores).</param>
    /// <param name="started">Called once the tasks exist, with <see cref="Describe"/>'s sentence.</param>
    /// <param name="progress">Told after every optimizer run (synchronously, on the calling thread).</param>
    /// <exception cref="ArgumentException">A setting is out of range, or <paramref name="models"/> does not match the task's parameter groups.</exception>
    public static Comparison Run(IReadOnlyList<string> models, ProblemSpec problem, int problems, int steps, int seed, int threads,
        Action<string>? started = null, IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(problem);
        if (models.Count == 0) throw new ArgumentException("no learned optimizer given: pass one ONNX file, or group=file per parameter group", nameof(models));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(problems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        TorchRuntime.Configure(threads);
        // Tuning and held-out problems come from the training and held-out data, under different seeds.
        using var tuning = Task(problem, heldOut: false, problems, seed);
        using var heldOut = Task(problem, heldOut: true, problems, seed + 1);
        var task = heldOut.Task;
        started?.Invoke(Describe(models, problem, problems, steps, seed, task.Name));

        var kinds = Enum.GetValues<BaselineKind>();
        var clock = Stopwatch.StartNew();
        var done = 0;
        var total = 1 + kinds.Length * (BaselineTuning.DefaultGrid.Count + 1);
        void Ran(string name) => progress?.Report(new EvaluationProgress(name, ++done, total, clock.Elapsed));

        var curves = new List<LossCurves>();
        using (var learned = Learned(models, task, threads))
            curves.Add(Evaluator.Run(task, learned, steps));
        Ran(curves[0].Optimizer);

        var tunedBaselines = new List<TunedBaseline>();
        foreach (var kind in kinds)
        {
            var tuned = BaselineTuning.Tune(kind, tuning.Task, steps, ran: name => Ran($"tuning {name}"));
            tunedBaselines.Add(tuned);
            using var baseline = Baseline.Create(kind, tuned.LearningRate, task.ProblemCount * task.Dimension);
            curves.Add(Evaluator.Run(task, baseline, steps));
            Ran(curves[^1].Optimizer);
        }
        return new Comparison(task.Name, curves, tunedBaselines);
    }

    /// <summary>
    /// The learned optimizer bound to all of <paramref name="task"/>'s coordinates: one ONNX file for every
    /// parameter, or one per parameter group (<c>group=file</c>).
    /// </summary>
    private static IVectorOptimizer Learned(IReadOnlyList<string> models, IEvaluationTask task, int threads)
    {
        var options = new LearnedOptimizerOptions { IntraOpThreads = threads };
        if (models.Count == 1 && !models[0].Contains('='))
            return new LoadedVectorOptimizer(LearnedOptimizer.Load(models[0], options), task.ProblemCount * task.Dimension, "learned");

        var byGroup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in models)
        {
            var parts = entry.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new ArgumentException($"--model '{entry}': with several models each must be group=file (groups of {task.Name}: {string.Join(", ", task.Groups.Select(g => g.Name))})");
            if (!byGroup.TryAdd(parts[0], parts[1])) throw new ArgumentException($"--model names group '{parts[0]}' twice");
        }
        var unknown = byGroup.Keys.Except(task.Groups.Select(g => g.Name)).ToArray();
        var missing = task.Groups.Select(g => g.Name).Except(byGroup.Keys).ToArray();
        if (unknown.Length > 0 || missing.Length > 0)
            throw new ArgumentException($"--model must give exactly one file per parameter group of {task.Name} ({string.Join(", ", task.Groups.Select(g => g.Name))}); " +
                                        (missing.Length > 0 ? $"missing {string.Join(", ", missing)}" : "") + (unknown.Length > 0 ? $" unknown {string.Join(", ", unknown)}" : ""));
        var optimizers = new List<IVectorOptimizer>();
        try
        {
            foreach (var group in task.Groups)
                optimizers.Add(new LoadedVectorOptimizer(LearnedOptimizer.Load(byGroup[group.Name], options), task.ProblemCount * group.Length, group.Name));
        }
        catch
        {
            foreach (var optimizer in optimizers) optimizer.Dispose();
            throw;
        }
        return new GroupedVectorOptimizer(task.Groups, task.ProblemCount, optimizers.ToArray(), $"learned ({string.Join(" + ", task.Groups.Select(g => g.Name))})");
    }

    /// <summary>Tasks and the families that own their data, disposed together.</summary>
    private sealed class OwnedTask(IEvaluationTask task, IDisposable? owner) : IDisposable
    {
        public IEvaluationTask Task => task;

        public void Dispose()
        {
            (task as IDisposable)?.Dispose();
            owner?.Dispose();
        }
    }

    private static OwnedTask Task(ProblemSpec problem, bool heldOut, int problems, int seed)
    {
        if (problem.Kind == ProblemKind.Quadratic)
            return new OwnedTask(new QuadraticTask(problems, seed, problem.QuadraticDimension), null);
        var family = heldOut ? problem.HeldOut() : problem.Training();
        return new OwnedTask(OptimizeeTask.Sample(family, problems, seed), family);
    }

    /// <summary>A <see cref="LearnedVectorOptimizer"/> that also owns (and disposes) its loaded ONNX optimizer.</summary>
    private sealed class LoadedVectorOptimizer(LearnedOptimizer optimizer, int length, string name) : IVectorOptimizer
    {
        private readonly LearnedVectorOptimizer bound = new(optimizer, length, name);

        public string Name => bound.Name;
        public int Length => bound.Length;
        public void Step(Span<float> parameters, ReadOnlySpan<float> gradients) => bound.Step(parameters, gradients);
        public void Reset() => bound.Reset();

        public void Dispose()
        {
            bound.Dispose();
            optimizer.Dispose();
        }
    }
}
