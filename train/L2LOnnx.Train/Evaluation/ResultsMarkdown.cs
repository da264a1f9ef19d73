using System.Globalization;
using System.Text;
using L2LOnnx.Runtime.Baselines;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// Renders <see cref="ExperimentResult"/>s as the Markdown tables of <c>docs/results.md</c> and the model
/// cards: per horizon, every optimizer's held-out losses (mean, median and interquartile band), whole-split
/// scores, divergences, the learned optimizer's paired comparison with each tuned baseline, and the cost
/// to reach tuned Adam's final loss.
/// </summary>
public static class ResultsMarkdown
{
    /// <summary>
    /// The horizon's label: "the meta-training horizon" for T (<see cref="Experiment.MetaTrainingHorizon"/>, else the
    /// first horizon), "Nx" for the multiples above it, the bare step count otherwise.
    /// </summary>
    public static string HorizonLabel(Experiment experiment, int horizon)
    {
        var t = experiment.MetaTrainingHorizon ?? experiment.Horizons[0];
        if (horizon == t) return $"{horizon} steps (the meta-training horizon)";
        return horizon > t && horizon % t == 0 ? $"{horizon} steps ({horizon / t}x the meta-training horizon)" : $"{horizon} steps";
    }

    /// <summary>One experiment's section body (no heading): what ran, then one table per horizon.</summary>
    /// <param name="result">The experiment's measurements.</param>
    /// <param name="figure">Relative path of the figure for a horizon (without extension), or null for none.</param>
    public static string Section(ExperimentResult result, Func<int, string>? figure = null)
    {
        var e = result.Experiment;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"`{string.Join(" + ", e.Models.Select(Path.GetFileName))}` on {result.Problems} held-out `{result.TaskName}` problems ({result.Dimension:N0} parameters each, seed {result.Seeds.Evaluation}); " +
            $"baselines tuned for each horizon on {result.TuningProblems} training problems (seed {result.Seeds.Tuning}). {Sentence(result.Description)}");
        if (result.Cost is { } cost)
            text.Append(CultureInfo.InvariantCulture,
                $" Costs measured on this machine, one thread, one problem: gradient {Milliseconds(cost.GradientSeconds)}, learned step {Milliseconds(cost.LearnedStepSeconds)} ({cost.LearnedEngine}), Adam step {Milliseconds(cost.BaselineStepSeconds[BaselineKind.Adam])}.");
        text.Append("\n\n");
        foreach (var horizon in e.Horizons)
        {
            text.Append(CultureInfo.InvariantCulture, $"**At {HorizonLabel(e, horizon)}**\n\n");
            text.Append(HorizonTable(result, horizon)).Append('\n');
            text.Append(Verdict(result, horizon)).Append("\n\n");
            if (figure is not null)
                text.Append(CultureInfo.InvariantCulture, $"![{e.Title}, median and 25-75 % band over problems, {horizon} steps]({figure(horizon)}.png)\n\n");
        }
        return text.ToString();
    }

    /// <summary>The table of one horizon: one row per optimizer.</summary>
    public static string HorizonTable(ExperimentResult result, int horizon)
    {
        var data = result.Learned.Score(horizon, SplitScore.TrainingSplit) is not null;
        var test = result.Learned.Score(horizon, SplitScore.TestSplit) is not null;
        var accuracy = result.Learned.Score(horizon, test ? SplitScore.TestSplit : SplitScore.TrainingSplit)?.Accuracy is not null;
        var header = new List<string> { "optimizer", "lr", "mean loss", "median [25 %, 75 %]" };
        if (data) header.Add("train-set loss");
        if (test) header.Add("test loss");
        if (accuracy) header.Add(test ? "test accuracy" : "train-set accuracy");
        header.AddRange(["diverged", "learned wins", "learned - it (± SE)", "learned / it", "steps to Adam's final", "seconds to it"]);
        var text = new StringBuilder();
        text.Append("| ").Append(string.Join(" | ", header)).Append(" |\n|");
        text.Append(string.Concat(header.Select((_, i) => i == 0 ? "---|" : "---:|"))).Append('\n');

        void Row(string name, string rate, RunRecord run, BaselineKind? kind)
        {
            var curves = run.Curves();
            var cells = new List<string> { name, rate, Format(curves.Mean(horizon)), $"{Format(curves.Median(horizon))} [{Format(curves.Quantile(horizon, 0.25))}, {Format(curves.Quantile(horizon, 0.75))}]" };
            if (data) cells.Add(run.Score(horizon, SplitScore.TrainingSplit) is { } training ? Format(training.Loss.Average()) : "-");
            if (test) cells.Add(run.Score(horizon, SplitScore.TestSplit) is { } tested ? Format(tested.Loss.Average()) : "-");
            if (accuracy) cells.Add(run.Score(horizon, test ? SplitScore.TestSplit : SplitScore.TrainingSplit)?.Accuracy is { } correct ? Percent(correct.Average()) : "-");
            cells.Add($"{curves.Divergences(horizon)} of {curves.Problems}");
            if (kind is { } k)
            {
                var paired = result.Paired(k, horizon);
                cells.Add($"{paired.Wins} of {paired.Problems}");
                cells.Add(double.IsFinite(paired.MeanDifference) ? $"{Signed(paired.MeanDifference)} ± {Format(paired.StandardError)}" : "diverged");
                cells.Add(double.IsFinite(paired.RatioOfMeans) ? paired.RatioOfMeans.ToString("0.00", CultureInfo.InvariantCulture) : "-");
            }
            else
            {
                cells.AddRange(["", "", ""]);
            }
            var steps = result.StepsToReachAdam(run, horizon);
            cells.Add(steps is { } s ? s.ToString(CultureInfo.InvariantCulture) : "never");
            cells.Add(result.SecondsToReachAdam(run, horizon, kind) is { } seconds ? Seconds(seconds) : steps is null ? "never" : "-");
            text.Append("| ").Append(string.Join(" | ", cells)).Append(" |\n");
        }

        Row($"**learned** ({string.Join(" + ", result.Experiment.Models.Select(Path.GetFileName))})", "-", result.Learned, null);
        foreach (var baseline in result.Baselines)
        {
            var tuned = baseline.Tuning.At(horizon);
            Row(Name(baseline.Kind), tuned.LearningRate.ToString("G3", CultureInfo.InvariantCulture), baseline.At(horizon), baseline.Kind);
        }
        return text.ToString();
    }

    /// <summary>One sentence on the learned optimizer against the best tuned baseline and tuned Adam at <paramref name="horizon"/>.</summary>
    public static string Verdict(ExperimentResult result, int horizon)
    {
        var (best, bestMean) = Best(result, horizon);
        var learned = result.Learned.Curves();
        var mean = learned.Mean(horizon);
        var diverged = learned.Divergences(horizon);
        var divergence = diverged > 0 ? $" It diverged on {diverged} of {learned.Problems} problems." : "";
        if (!double.IsFinite(mean)) return $"The learned optimizer diverges: its mean loss at step {horizon} is not finite.{divergence}";
        var paired = result.Paired(best, horizon);
        var adam = result.Paired(BaselineKind.Adam, horizon);
        var word = mean <= bestMean ? "beats" : "loses to";
        return string.Create(CultureInfo.InvariantCulture,
            $"At step {horizon} the learned optimizer {word} the best tuned baseline ({Name(best)}): mean {Format(mean)} vs {Format(bestMean)}, ratio {Ratio(paired.RatioOfMeans)}, lower on {paired.Wins} of {paired.Problems} problems; " +
            $"against tuned Adam the ratio is {Ratio(adam.RatioOfMeans)} ({adam.Wins} of {adam.Problems} wins).{divergence}");
    }

    /// <summary>The summary rows (no header) of every horizon of <paramref name="result"/>, linked to its section <paramref name="anchor"/>.</summary>
    public static string SummaryRows(ExperimentResult result, string anchor)
    {
        var text = new StringBuilder();
        foreach (var horizon in result.Horizons)
        {
            var (best, bestMean) = Best(result, horizon);
            var learned = result.Learned.Curves();
            var paired = result.Paired(best, horizon);
            var adamSteps = result.StepsToReachAdam(result.Learned, horizon);
            text.Append(CultureInfo.InvariantCulture,
                $"| [{result.Experiment.Title}](#{anchor}) | {horizon} | {Format(learned.Mean(horizon))} | {Format(bestMean)} ({Name(best)}) | {Ratio(paired.RatioOfMeans)} | {paired.Wins} of {paired.Problems} | " +
                $"{Ratio(result.Paired(BaselineKind.Adam, horizon).RatioOfMeans)} | {(adamSteps is { } s ? s.ToString(CultureInfo.InvariantCulture) : "never")} | {learned.Divergences(horizon)} |\n");
        }
        return text.ToString();
    }

    /// <summary>The header of the summary table.</summary>
    public const string SummaryHeader =
        "| experiment | steps | learned, mean loss | best tuned baseline | learned / best | learned wins vs best | learned / Adam | learned's steps to Adam's final loss | learned diverged |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";

    /// <summary>The baseline with the lowest finite held-out mean at <paramref name="horizon"/> (Adam when all diverge).</summary>
    public static (BaselineKind Kind, double Mean) Best(ExperimentResult result, int horizon)
    {
        var best = (Kind: BaselineKind.Adam, Mean: double.PositiveInfinity);
        foreach (var baseline in result.Baselines)
        {
            var mean = baseline.At(horizon).Curves().Mean(horizon);
            if (double.IsFinite(mean) && mean < best.Mean) best = (baseline.Kind, mean);
        }
        return best;
    }

    /// <summary>The display name of a baseline.</summary>
    public static string Name(BaselineKind kind) => kind switch
    {
        BaselineKind.Sgd => "SGD",
        BaselineKind.Nag => "NAG",
        BaselineKind.RmsProp => "RMSprop",
        _ => "Adam",
    };

    private static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + ".";

    private static string Ratio(double ratio) => double.IsFinite(ratio) ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";

    private static string Format(double value) => double.IsFinite(value) ? value.ToString("G4", CultureInfo.InvariantCulture) : "diverged";

    private static string Signed(double value) => (value >= 0 ? "+" : "") + Format(value);

    private static string Percent(double value) => double.IsFinite(value) ? (100 * value).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "diverged";

    private static string Milliseconds(double seconds) => seconds < 1e-3
        ? (seconds * 1e6).ToString("G3", CultureInfo.InvariantCulture) + " µs"
        : (seconds * 1e3).ToString("G3", CultureInfo.InvariantCulture) + " ms";

    private static string Seconds(double seconds) => seconds.ToString(seconds < 100 ? "G3" : "0", CultureInfo.InvariantCulture) + " s";
}
