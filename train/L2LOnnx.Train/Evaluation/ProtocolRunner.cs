using System.Diagnostics;
using System.Globalization;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// Runs the evaluation protocol on an <see cref="Experiment"/>: every baseline tuned per horizon on the
/// tuning problems, then the learned optimizer (through the runtime) and each tuned baseline on the same
/// held-out problems to the longest horizon, with whole-data-set scores at every horizon and the step
/// costs measured on this machine. Results are cached per task (see <see cref="ProtocolSettings.CacheDirectory"/>).
/// Run one experiment at a time per process (TorchSharp 0.107 fails intermittently, "Unknown scalar type",
/// when two threads run these tasks at once); for parallelism run several processes on one cache, and
/// measure costs with <see cref="MeasureCost"/> alone, when nothing else runs.
/// </summary>
public sealed class ProtocolRunner
{
    private readonly ProtocolSettings settings;
    private readonly Action<string> log;
    private readonly ResultCache cache;

    /// <summary>A runner with <paramref name="settings"/> that reports progress lines to <paramref name="log"/>.</summary>
    public ProtocolRunner(ProtocolSettings settings, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        this.settings = settings;
        this.log = log ?? (_ => { });
        cache = new ResultCache(settings.CacheDirectory);
    }

    /// <summary>
    /// Told after every optimizer run of <see cref="Compute"/> (tuning and held-out runs; the total counts
    /// each baseline's held-out runs as two, so it can end a little early). Null: no reports.
    /// </summary>
    public IProgress<EvaluationProgress>? Progress { get; init; }

    /// <summary>Runs <paramref name="experiment"/> and measures its costs.</summary>
    public ExperimentResult Run(Experiment experiment)
    {
        var result = Compute(experiment);
        return result with { Cost = MeasureCost(experiment) };
    }

    /// <summary>Tunes and runs everything of <paramref name="experiment"/> (from the cache where possible); <see cref="ExperimentResult.Cost"/> is null.</summary>
    public ExperimentResult Compute(Experiment experiment)
    {
        experiment.Validate();
        var clock = Stopwatch.StartNew();
        using var problems = Problems(experiment);
        var baselineKey = BaselineKey(experiment);
        var ran = Counter(experiment);
        var baselines = cache.GetOrCompute("baselines", baselineKey, () => Baselines(experiment, problems, ran), out var hit);
        log(hit ? $"{experiment.Slug}: tuned baselines from the cache" : $"{experiment.Slug}: baselines tuned and run in {clock.Elapsed.TotalSeconds:F0} s");
        var learnedKey = LearnedKey(experiment, baselineKey);
        var learned = cache.GetOrCompute("learned", learnedKey, () => Learned(experiment, problems, ran), out var learnedHit);
        log(learnedHit ? $"{experiment.Slug}: learned run from the cache" : $"{experiment.Slug}: learned optimizer run; {clock.Elapsed.TotalSeconds:F0} s in all");
        return new ExperimentResult(experiment, problems.Evaluation.Name, problems.Description, problems.Evaluation.Dimension,
            problems.Evaluation.ProblemCount, problems.Tuning.ProblemCount, settings.Seeds, learned, baselines, null);
    }

    /// <summary>
    /// Measures (or reads from the cache) one problem's gradient time and each optimizer's own step time,
    /// at the task's parameter count, on one thread; the learned optimizer on the engine the runtime picks
    /// (the fused one where it runs the model).
    /// </summary>
    public CostRecord MeasureCost(Experiment experiment)
    {
        var key = LearnedKey(experiment, BaselineKey(experiment)) + Environment.MachineName;
        return cache.GetOrCompute("cost", key, () =>
        {
            using var problems = Problems(experiment);
            var single = problems.SingleProblem();
            try
            {
            var gradient = StepTiming.Gradient(single);
            double learnedStep = 0;
            var engines = new List<string>();
            foreach (var (file, group) in LearnedOptimizers.Assign(experiment.Models, single))
            {
                using var optimizer = LearnedOptimizer.Load(file, new LearnedOptimizerOptions { IntraOpThreads = 1 });
                using var bound = new LearnedVectorOptimizer(optimizer, group.Length);
                learnedStep += StepTiming.OptimizerStep(bound);
                engines.Add(optimizer.EngineDescription);
            }
            var baselineSteps = Enum.GetValues<BaselineKind>().ToDictionary(k => k, k =>
            {
                using var baseline = Baseline.Create(k, 1e-3, single.Dimension);
                return StepTiming.OptimizerStep(baseline);
            });
            log(string.Create(CultureInfo.InvariantCulture,
                $"{experiment.Slug}: one problem's gradient {gradient * 1e3:G3} ms, learned step {learnedStep * 1e3:G3} ms, Adam step {baselineSteps[BaselineKind.Adam] * 1e3:G3} ms ({single.Dimension:N0} parameters)"));
            return new CostRecord(gradient, learnedStep, string.Join("; ", engines.Distinct()), baselineSteps);
            }
            finally
            {
                (single as IDisposable)?.Dispose();
            }
        }, out _);
    }

    /// <summary>
    /// Optimizee steps (problem batches) <paramref name="experiment"/> would run, and an estimate of their
    /// seconds from a short measurement of one tuning and one held-out gradient; zero for what is cached.
    /// Baselines already in <paramref name="counted"/> (shared with an experiment estimated before) are not
    /// counted again; their key is added to it.
    /// </summary>
    public (long Steps, double Seconds) Estimate(Experiment experiment, ISet<string>? counted = null)
    {
        experiment.Validate();
        var shortest = experiment.Horizons[0];
        var longest = experiment.Horizons[^1];
        var baselines = Enum.GetValues<BaselineKind>().Length;
        var finalists = experiment.Horizons.Count > 1 ? BaselineTuning.Finalists : 0;
        var baselineKey = BaselineKey(experiment);
        var shared = counted is not null && !counted.Add(baselineKey);
        var tuningSteps = shared || cache.Has("baselines", baselineKey) ? 0L : (long)baselines * (settings.Grid.Count * shortest + finalists * longest);
        // Each baseline's held-out runs: the longest horizon, plus a shorter one when its tuned rate differs there.
        var baselineSteps = tuningSteps == 0 ? 0L : (long)baselines * (longest + (experiment.Horizons.Count > 1 ? shortest : 0));
        var learnedSteps = cache.Has("learned", LearnedKey(experiment, baselineKey)) ? 0L : longest;
        if (tuningSteps + baselineSteps + learnedSteps == 0) return (0, 0);

        var saved = StepTiming.Budget;
        StepTiming.Budget = TimeSpan.FromMilliseconds(100);
        try
        {
            using var problems = Problems(experiment);
            var tuning = StepTiming.Gradient(problems.Tuning);
            var evaluation = StepTiming.Gradient(problems.Evaluation);
            double learnedStep = 0;
            if (learnedSteps > 0)
            {
                using var learned = LearnedOptimizers.Bind(experiment.Models, problems.Evaluation, new LearnedOptimizerOptions { IntraOpThreads = settings.Threads });
                learnedStep = StepTiming.OptimizerStep(learned);
            }
            // Whole-split scores are taken at every horizon of every held-out run (a baseline's shorter run scores
            // once more); on a convnet they cost as much as the runs themselves, so they are timed, not guessed.
            var scorings = (baselineSteps == 0 ? 0 : baselines * (experiment.Horizons.Count + (experiment.Horizons.Count > 1 ? 1 : 0)))
                + (learnedSteps == 0 ? 0 : experiment.Horizons.Count);
            var scoring = scorings == 0 ? 0 : ScoringSeconds(problems);
            var seconds = tuningSteps * tuning + baselineSteps * evaluation + learnedSteps * (evaluation + learnedStep) + scorings * scoring;
            return (tuningSteps + baselineSteps + learnedSteps, seconds);
        }
        finally
        {
            StepTiming.Budget = saved;
        }
    }

    /// <summary>Seconds to score every held-out problem on the training and test splits, from one problem's scoring timed once.</summary>
    private static double ScoringSeconds(HeldOutProblems problems)
    {
        var splits = new[] { problems.TrainingSet, problems.TestSet }.OfType<IFixedDataFamily>().ToArray();
        if (splits.Length == 0) return 0;
        var task = problems.Evaluation;
        var parameters = new float[task.ProblemCount * task.Dimension];
        task.Initialize(parameters);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var first = TorchSharp.torch.tensor(parameters.AsSpan(0, task.Dimension).ToArray(), new long[] { 1, task.Dimension });
        var clock = Stopwatch.StartNew();
        foreach (var split in splits) split.Score(first);
        return clock.Elapsed.TotalSeconds * task.ProblemCount;
    }

    private HeldOutProblems Problems(Experiment experiment) =>
        HeldOutProblems.Create(experiment.Problem, experiment.Definition, settings.ProblemsOf(experiment), settings.TuningProblemsOf(experiment), settings.Seeds);

    /// <summary>
    /// The key of <paramref name="experiment"/>'s problems: experiments with equal keys share their tuned
    /// baselines (and should run in one process, one after the other).
    /// </summary>
    public string TaskKey(Experiment experiment) => BaselineKey(experiment);

    private string BaselineKey(Experiment experiment) =>
        ResultCache.Key("baselines", experiment.Problem, experiment.Definition, settings.ProblemsOf(experiment), settings.TuningProblemsOf(experiment),
            settings.Seeds.Tuning, settings.Seeds.Evaluation, experiment.Horizons, settings.Grid, BaselineTuning.Finalists);

    private static string LearnedKey(Experiment experiment, string baselineKey) =>
        baselineKey + ResultCache.Key("learned", LearnedOptimizers.Files(experiment.Models).Select(ResultCache.FileHash).ToArray(), experiment.Models.Select(m => m.Contains('=') ? m.Split('=')[0] : "").ToArray());

    private Action<string> Counter(Experiment experiment)
    {
        var kinds = Enum.GetValues<BaselineKind>().Length;
        var finalists = experiment.Horizons.Count > 1 ? BaselineTuning.Finalists : 0;
        var total = 1 + kinds * (settings.Grid.Count + finalists + 2);
        var done = 0;
        var clock = Stopwatch.StartNew();
        return name => Progress?.Report(new EvaluationProgress($"{experiment.Slug}: {name}", Math.Min(++done, total), total, clock.Elapsed));
    }

    private IReadOnlyList<BaselineRecord> Baselines(Experiment experiment, HeldOutProblems problems, Action<string> ran)
    {
        var records = new List<BaselineRecord>();
        foreach (var kind in Enum.GetValues<BaselineKind>())
        {
            var clock = Stopwatch.StartNew();
            var tuning = BaselineTuning.TuneAtHorizons(kind, problems.Tuning, experiment.Horizons, settings.Grid, name => ran($"tuning {name}"));
            var runs = new List<RunRecord>();
            foreach (var rate in tuning.Best.Select(b => b.LearningRate).Distinct())
            {
                var steps = experiment.Horizons.Where((h, i) => tuning.Best[i].LearningRate == rate).Max();
                using var optimizer = Baseline.Create(kind, rate, problems.Evaluation.ProblemCount * problems.Evaluation.Dimension);
                runs.Add(Run(problems, optimizer, steps, experiment.Horizons, rate));
                ran(optimizer.Name);
            }
            log(string.Create(CultureInfo.InvariantCulture,
                $"{experiment.Slug}: {kind} tuned ({string.Join(", ", tuning.Best.Select((b, i) => $"lr {b.LearningRate:g3} @{tuning.Horizons[i]}"))}) and run, {clock.Elapsed.TotalSeconds:F0} s"));
            records.Add(new BaselineRecord(tuning, runs));
        }
        return records;
    }

    private RunRecord Learned(Experiment experiment, HeldOutProblems problems, Action<string> ran)
    {
        using var learned = LearnedOptimizers.Bind(experiment.Models, problems.Evaluation, new LearnedOptimizerOptions { IntraOpThreads = settings.Threads });
        var run = Run(problems, learned, experiment.Horizons[^1], experiment.Horizons, null);
        ran(learned.Name);
        return run;
    }

    private static RunRecord Run(HeldOutProblems problems, IVectorOptimizer optimizer, int steps, IReadOnlyList<int> horizons, double? rate)
    {
        var scores = new List<SplitScore>();
        var snapshots = horizons.Where(h => h <= steps).ToArray();
        var curves = Evaluator.Run(problems.Evaluation, optimizer, steps, snapshots, (step, parameters) =>
        {
            if (problems.TrainingSet is { } training)
            {
                var (loss, accuracy) = problems.Score(training, parameters);
                scores.Add(new SplitScore(step, SplitScore.TrainingSplit, loss, accuracy));
            }
            if (problems.TestSet is { } test)
            {
                var (loss, accuracy) = problems.Score(test, parameters);
                scores.Add(new SplitScore(step, SplitScore.TestSplit, loss, accuracy));
            }
        });
        return RunRecord.From(curves, rate, scores);
    }
}
