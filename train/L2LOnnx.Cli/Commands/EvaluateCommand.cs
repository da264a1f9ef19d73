using System.CommandLine;
using L2LOnnx.Cli.Reports;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l evaluate</c>: runs an exported optimizer through the runtime on held-out problems next to
/// baselines tuned on training-distribution problems; prints a table, writes CSV and PNG plots of the
/// mean and median loss curves.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>What to evaluate, where, and how long.</summary>
    public sealed record Settings(
        IReadOnlyList<string> Models,
        ProblemSpec Problem,
        int Problems,
        int Steps,
        string Output,
        int Seed,
        int Threads);

    /// <summary>Steps at which the summary table reports the mean loss (the last is the horizon).</summary>
    private static int[] TableSteps(int steps) => [0, steps / 4, steps / 2, steps];

    public static Command Create()
    {
        var model = new Option<string[]>("--model")
        {
            Description = "contract-v1 ONNX optimizer: one file for all parameters, or group=file per parameter group (e.g. --model conv=a.conv.onnx --model fc=a.fc.onnx)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var problem = new CommonOptions.ProblemOptions();
        var problems = new Option<int?>("--problems") { Description = "held-out problems (and as many tuning problems); default 100 for quadratics, 20 otherwise" };
        var steps = new Option<int>("--steps") { Description = "optimizee steps", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "folder for curves.csv and the loss-curve plots", DefaultValueFactory = _ => "out/evaluation" };
        var seed = CommonOptions.Seed(2016);
        var threads = CommonOptions.Threads();
        var command = new Command("evaluate", "compare a learned optimizer with tuned SGD, NAG, RMSprop and Adam on held-out problems");
        command.Add(model);
        foreach (var option in problem.All) command.Add(option);
        foreach (var option in new Option[] { problems, steps, output, seed, threads }) command.Add(option);
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            var spec = problem.Read(result);
            Run(new Settings(result.GetValue(model)!, spec, result.GetValue(problems) ?? (spec.Kind == ProblemKind.Quadratic ? 100 : 20),
                result.GetValue(steps), result.GetValue(output)!, result.GetValue(seed), result.GetValue(threads)));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// What <see cref="Compare"/> measured: the learned optimizer's curves first, then one per tuned baseline
    /// (in <see cref="Tuned"/>'s order), on <see cref="TaskName"/>'s held-out problems.
    /// </summary>
    public sealed record Comparison(string TaskName, IReadOnlyList<LossCurves> Curves, IReadOnlyList<TunedBaseline> Tuned);

    /// <summary>
    /// Runs the learned optimizer in <paramref name="models"/> and every baseline, each tuned on as many
    /// training problems (seed <paramref name="seed"/>), on <paramref name="problems"/> held-out problems
    /// (seed <paramref name="seed"/> + 1) for <paramref name="steps"/> steps. Prints one line on what runs.
    /// </summary>
    public static Comparison Compare(IReadOnlyList<string> models, ProblemSpec problem, int problems, int steps, int seed, int threads)
    {
        TorchRuntime.Configure(threads);
        // Tuning and held-out problems come from the training and held-out data, under different seeds.
        using var tuning = Task(problem, heldOut: false, problems, seed);
        using var heldOut = Task(problem, heldOut: true, problems, seed + 1);
        var task = heldOut.Task;
        Console.WriteLine($"evaluating {string.Join(", ", models)} on {problems} held-out {task.Name} problems, {steps} steps (seed {seed + 1}); " +
                          $"baselines tuned on {problems} training problems (seed {seed}); {problem.DescribeSplit()}");

        var curves = new List<LossCurves>();
        using (var learned = Learned(models, task, threads))
            curves.Add(Evaluator.Run(task, learned, steps));

        var tunedBaselines = new List<TunedBaseline>();
        foreach (var kind in Enum.GetValues<BaselineKind>())
        {
            var tuned = BaselineTuning.Tune(kind, tuning.Task, steps);
            tunedBaselines.Add(tuned);
            using var baseline = Baseline.Create(kind, tuned.LearningRate, task.ProblemCount * task.Dimension);
            curves.Add(Evaluator.Run(task, baseline, steps));
        }
        return new Comparison(task.Name, curves, tunedBaselines);
    }

    /// <summary>Evaluates and reports; returns the curves, the learned optimizer's first.</summary>
    public static IReadOnlyList<LossCurves> Run(Settings s)
    {
        var (name, curves, _) = Compare(s.Models, s.Problem, s.Problems, s.Steps, s.Seed, s.Threads);
        LossReport.PrintTable($"{name}: loss on {s.Problems} held-out problems", curves, TableSteps(s.Steps));
        var csv = Path.Combine(s.Output, "curves.csv");
        var mean = Path.Combine(s.Output, "loss-curves.png");
        var median = Path.Combine(s.Output, "loss-curves-median.png");
        LossReport.WriteCsv(csv, curves);
        LossPlot.Write(mean, $"{name}: mean loss on {s.Problems} held-out problems", curves, LossPlot.Statistic.Mean);
        LossPlot.Write(median, $"{name}: median loss on {s.Problems} held-out problems", curves, LossPlot.Statistic.Median);
        Console.WriteLine($"wrote {csv}, {mean} and {median}");
        return curves;
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
        var optimizers = task.Groups
            .Select(g => (IVectorOptimizer)new LoadedVectorOptimizer(LearnedOptimizer.Load(byGroup[g.Name], options), task.ProblemCount * g.Length, g.Name))
            .ToArray();
        return new GroupedVectorOptimizer(task.Groups, task.ProblemCount, optimizers, $"learned ({string.Join(" + ", task.Groups.Select(g => g.Name))})");
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
