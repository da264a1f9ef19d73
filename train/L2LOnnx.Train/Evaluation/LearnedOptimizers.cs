using System.Globalization;
using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// Binds contract-v1 optimizer files to an evaluation task through the runtime: one file for every
/// parameter, or one per parameter group (<c>group=file</c>, e.g. <c>conv=a.conv.onnx</c>).
/// </summary>
public static class LearnedOptimizers
{
    /// <summary>The metadata key that records a model's meta-training horizon (trajectory length T).</summary>
    public const string HorizonKey = "l2l.meta.trajectory_length";

    /// <summary>
    /// The learned optimizer bound to all of <paramref name="task"/>'s coordinates (N = problems x dimension).
    /// Non-finite gradients skip their coordinates instead of failing the run, so a diverging problem is
    /// recorded as diverged while the others go on.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="models"/> does not name one file per group.</exception>
    public static IVectorOptimizer Bind(IReadOnlyList<string> models, IEvaluationTask task, LearnedOptimizerOptions? options = null)
    {
        options = (options ?? new LearnedOptimizerOptions()) with { NonFiniteGradients = NonFiniteGradientPolicy.SkipCoordinates };
        var assigned = Assign(models, task);
        if (assigned.Count == 1 && !models[0].Contains('='))
            return new OwningVectorOptimizer(LearnedOptimizer.Load(models[0], options), task.ProblemCount * task.Dimension, "learned");
        var optimizers = assigned
            .Select(a => (IVectorOptimizer)new OwningVectorOptimizer(LearnedOptimizer.Load(a.File, options), task.ProblemCount * a.Group.Length, a.Group.Name))
            .ToArray();
        return new GroupedVectorOptimizer(task.Groups, task.ProblemCount, optimizers, $"learned ({string.Join(" + ", task.Groups.Select(g => g.Name))})");
    }

    /// <summary>
    /// The meta-training horizon a model file records (<see cref="HorizonKey"/>), or null when it does not
    /// say (files from other tools).
    /// </summary>
    public static int? MetaTrainingHorizon(string model)
    {
        using var optimizer = LearnedOptimizer.Load(model, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1 });
        return optimizer.Contract.Metadata.TryGetValue(HorizonKey, out var text)
               && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var horizon) && horizon > 0
            ? horizon
            : null;
    }

    /// <summary>The model files as paths (a group=file entry gives its file).</summary>
    public static IEnumerable<string> Files(IReadOnlyList<string> models) =>
        models.Select(m => m.Contains('=') ? m.Split('=', 2)[1] : m);

    /// <summary>Which model file steps which parameter group of <paramref name="task"/>, in group order.</summary>
    /// <exception cref="ArgumentException"><paramref name="models"/> does not name one file per group.</exception>
    public static IReadOnlyList<(string File, Problems.ParameterGroup Group)> Assign(IReadOnlyList<string> models, IEvaluationTask task)
    {
        if (models.Count == 0) throw new ArgumentException("no optimizer model given", nameof(models));
        if (models.Count == 1 && !models[0].Contains('='))
            return [(models[0], new Problems.ParameterGroup("all", 0, task.Dimension))];
        var byGroup = new Dictionary<string, string>(StringComparer.Ordinal);
        var groups = string.Join(", ", task.Groups.Select(g => g.Name));
        foreach (var entry in models)
        {
            var parts = entry.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new ArgumentException($"model '{entry}': with several models each must be group=file (groups of {task.Name}: {groups})", nameof(models));
            if (!byGroup.TryAdd(parts[0], parts[1])) throw new ArgumentException($"the models name group '{parts[0]}' twice", nameof(models));
        }
        var unknown = byGroup.Keys.Except(task.Groups.Select(g => g.Name)).ToArray();
        var missing = task.Groups.Select(g => g.Name).Except(byGroup.Keys).ToArray();
        if (unknown.Length > 0 || missing.Length > 0)
            throw new ArgumentException($"give exactly one model file per parameter group of {task.Name} ({groups}); " +
                                        (missing.Length > 0 ? $"missing {string.Join(", ", missing)}" : "") + (unknown.Length > 0 ? $" unknown {string.Join(", ", unknown)}" : ""), nameof(models));
        return task.Groups.Select(g => (byGroup[g.Name], g)).ToArray();
    }

    /// <summary>A <see cref="LearnedVectorOptimizer"/> that also owns (and disposes) its loaded optimizer.</summary>
    private sealed class OwningVectorOptimizer(LearnedOptimizer optimizer, int length, string name) : IVectorOptimizer
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
