using System.Diagnostics;
using System.Globalization;
using System.Text;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// <c>results.md</c> and its figures from the shipped models: the paper's experiments (quadratics;
/// MNIST at 100 and 200 steps, 40 units, 2 layers, ReLU; Fashion-MNIST transfer) and the general
/// default on each of its held-out families, each the learned optimizer against every tuned baseline,
/// through <see cref="OptimizerComparison.Run"/>. What <c>l2l results</c> writes.
/// </summary>
public static class ResultsReport
{
    /// <summary>Where the models are, where the report goes, and how much to evaluate.</summary>
    public sealed record Settings(string Models, string Output, int Problems, int? Steps, int Seed, int Threads);

    /// <summary>One comparison of the report: a model file on a problem for some steps.</summary>
    public sealed record Experiment(string Slug, string Title, string Model, ProblemSpec Problem, int Steps);

    /// <summary>Quadratics are cheap (plain C#): they get this many times <see cref="Settings.Problems"/>.</summary>
    public const int QuadraticProblemFactor = 10;

    /// <summary>The experiments of the report, in order.</summary>
    public static IReadOnlyList<Experiment> Experiments()
    {
        var mnist = new ProblemSpec { Kind = ProblemKind.Mnist };
        var list = new List<Experiment>
        {
            new("quadratic", "Quadratics (10-d, paper figure 2)", "quadratic.onnx", new ProblemSpec(), 100),
            new("mnist-100", "MNIST, 100 steps (paper figure 2)", "mnist-mlp.onnx", mnist, 100),
            new("mnist-200", "MNIST, 200 steps (paper figure 3)", "mnist-mlp.onnx", mnist, 200),
            new("mnist-40-units", "MNIST, 40 hidden units (paper figure 3)", "mnist-mlp.onnx", mnist with { Mlp = new MlpConfig { HiddenSizes = [40] } }, 100),
            new("mnist-2-layers", "MNIST, two hidden layers (paper figure 3)", "mnist-mlp.onnx", mnist with { Mlp = new MlpConfig { HiddenSizes = [20, 20] } }, 100),
            new("mnist-relu", "MNIST, ReLU (paper figure 3)", "mnist-mlp.onnx", mnist with { Mlp = new MlpConfig { Activation = Activation.Relu } }, 100),
            new("fashion-mnist", "Fashion-MNIST transfer of the MNIST optimizer", "mnist-mlp.onnx", new ProblemSpec { Kind = ProblemKind.FashionMnist }, 100),
        };
        foreach (var name in GeneralMixture.HeldOutNames)
            list.Add(new($"general-{name}", $"General default on held-out {name}", "general.onnx", new ProblemSpec { Kind = ProblemSpec.ParseKind(name) }, 100));
        return list;
    }

    /// <summary>
    /// Runs every experiment whose model is there, writes the figures (through <paramref name="figure"/>:
    /// path, title, comparison) and <c>results.md</c>; returns its path. <paramref name="log"/> hears one
    /// line per experiment and the comparisons' own lines; <paramref name="progress"/> each optimizer run.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public static string Write(Settings s, Action<string, string, Comparison> figure, Action<string>? log = null, IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(figure);
        log ??= _ => { };
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s.Problems);
        if (s.Steps is < 1) throw new ArgumentException($"--steps must be at least 1, got {s.Steps}");
        var figures = Path.Combine(s.Output, "results");
        Directory.CreateDirectory(figures);
        var summary = new StringBuilder();
        var sections = new StringBuilder();
        foreach (var experiment in Experiments())
        {
            var model = Path.Combine(s.Models, experiment.Model);
            sections.Append(CultureInfo.InvariantCulture, $"## {experiment.Title}\n\n");
            if (!File.Exists(model))
            {
                var skipped = $"Skipped: {model} is not there.";
                log($"{experiment.Slug}: {skipped}");
                sections.Append(skipped).Append("\n\n");
                summary.Append(CultureInfo.InvariantCulture, $"| {experiment.Title} | skipped: no {experiment.Model} | | |\n");
                continue;
            }

            var steps = s.Steps ?? experiment.Steps;
            var problems = experiment.Problem.Kind == ProblemKind.Quadratic ? s.Problems * QuadraticProblemFactor : s.Problems;
            var clock = Stopwatch.StartNew();
            var comparison = OptimizerComparison.Run([model], experiment.Problem, problems, steps, s.Seed, s.Threads, started: log, progress);
            log($"{experiment.Slug}: {clock.Elapsed.TotalSeconds:F0} s");

            var figurePath = Path.Combine(figures, experiment.Slug + ".png");
            figure(figurePath, $"{experiment.Title}: mean loss on {problems} held-out problems", comparison);
            var verdict = Verdict(comparison, steps);
            sections.Append(CultureInfo.InvariantCulture,
                $"`{experiment.Model}` on {problems} held-out {comparison.TaskName} problems, {steps} steps; baselines tuned on {problems} training problems. {Sentence(experiment.Problem.DescribeSplit())}\n\n");
            sections.Append(Table(comparison, experiment.Model, steps)).Append('\n');
            sections.Append(CultureInfo.InvariantCulture, $"![{experiment.Title}](results/{experiment.Slug}.png)\n\n{verdict}\n\n");
            summary.Append(CultureInfo.InvariantCulture,
                $"| {experiment.Title} | {Format(comparison.Curves[0].Mean(steps))} | {Format(BestBaseline(comparison, steps).Mean)} ({BestBaseline(comparison, steps).Name}) | {Ratio(comparison, steps)} |\n");
        }

        var text = new StringBuilder();
        text.Append("# Results\n\n");
        var flags = s.Steps is { } fixedSteps ? $" --steps {fixedSteps}" : "";
        text.Append(CultureInfo.InvariantCulture,
            $"Generated by `l2l results --models {s.Models} --out {s.Output} --problems {s.Problems}{flags} --seed {s.Seed}` on {DateTime.UtcNow:yyyy-MM-dd} ({Environment.ProcessorCount} cores). ");
        text.Append("Every learned optimizer runs through the ONNX runtime; SGD, NAG (momentum 0.9), RMSprop and Adam each have their learning rate " +
                    "tuned on a log grid (1e-4 .. 10, half decades) for the lowest mean final loss on training-distribution problems, then run on " +
                    "the same held-out problems as the learned optimizer. Figures show the mean loss per step (log scale).\n\n");
        text.Append("| experiment | learned, mean at horizon | best tuned baseline | learned / best |\n|---|---|---|---|\n");
        text.Append(summary).Append('\n').Append(sections);
        var path = Path.Combine(s.Output, "results.md");
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
        log($"wrote {path} and the figures in {figures}");
        return path;
    }

    /// <summary>One plain sentence: does the learned optimizer beat the best tuned baseline at the horizon, and by how much; and tuned Adam.</summary>
    public static string Verdict(Comparison comparison, int steps)
    {
        var learned = comparison.Curves[0].Mean(steps);
        var (bestName, best) = BestBaseline(comparison, steps);
        var adam = comparison.Curves[1 + IndexOf(comparison, BaselineKind.Adam)].Mean(steps);
        if (!double.IsFinite(learned))
            return $"The learned optimizer diverges: its mean loss at step {steps} is not finite, while tuned {bestName} reaches {Format(best)}.";
        var adamClause = double.IsFinite(adam)
            ? $" Against tuned Adam ({Format(adam)}) it is {Compare(learned, adam)}."
            : " Tuned Adam diverges.";
        return learned <= best
            ? $"The learned optimizer wins: its mean loss at step {steps}, {Format(learned)}, is {Compare(learned, best)} than the best tuned baseline's ({bestName}, {Format(best)}).{adamClause}"
            : $"The learned optimizer loses: its mean loss at step {steps}, {Format(learned)}, is {Compare(learned, best)} than the best tuned baseline's ({bestName}, {Format(best)}).{adamClause}";
    }

    private static string Table(Comparison comparison, string model, int steps)
    {
        var table = new StringBuilder();
        table.Append(CultureInfo.InvariantCulture, $"| optimizer | learning rate | mean @{steps} | mean @{steps / 2} | median @{steps} |\n|---|---|---|---|---|\n");
        for (var i = 0; i < comparison.Curves.Count; i++)
        {
            var curve = comparison.Curves[i];
            var (name, rate) = i == 0
                ? ($"learned ({model})", "-")
                : (BaselineName(curve), comparison.Tuned[i - 1].LearningRate.ToString("G3", CultureInfo.InvariantCulture));
            table.Append(CultureInfo.InvariantCulture, $"| {name} | {rate} | {Format(curve.Mean(steps))} | {Format(curve.Mean(steps / 2))} | {Format(curve.Median(steps))} |\n");
        }
        return table.ToString();
    }

    private static (string Name, double Mean) BestBaseline(Comparison comparison, int steps)
    {
        var best = (Name: "none", Mean: double.PositiveInfinity);
        for (var i = 0; i < comparison.Tuned.Count; i++)
        {
            var mean = comparison.Curves[i + 1].Mean(steps);
            if (double.IsFinite(mean) && mean < best.Mean) best = (BaselineName(comparison.Curves[i + 1]), mean);
        }
        return best;
    }

    private static int IndexOf(Comparison comparison, BaselineKind kind)
    {
        for (var i = 0; i < comparison.Tuned.Count; i++)
            if (comparison.Tuned[i].Kind == kind) return i;
        throw new InvalidOperationException($"no tuned {kind} in the comparison");
    }

    private static string Ratio(Comparison comparison, int steps)
    {
        var learned = comparison.Curves[0].Mean(steps);
        var best = BestBaseline(comparison, steps).Mean;
        return double.IsFinite(learned) && double.IsFinite(best) && best > 0 ? (learned / best).ToString("0.00", CultureInfo.InvariantCulture) : "diverged";
    }

    /// <summary>The baseline's display name without its learning rate: "Adam(lr=0.01)" -> "Adam".</summary>
    private static string BaselineName(LossCurves curve) => curve.Optimizer.Split('(')[0];

    /// <summary>"2.3x lower", "1.4x higher" or "equal".</summary>
    private static string Compare(double value, double reference)
    {
        if (value == reference) return "equal";
        return value < reference
            ? $"{(value > 0 ? (reference / value).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "infinitely")} lower"
            : $"{(reference > 0 ? (value / reference).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "infinitely")} higher";
    }

    private static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + ".";

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("G4", CultureInfo.InvariantCulture) : "diverged";
}
