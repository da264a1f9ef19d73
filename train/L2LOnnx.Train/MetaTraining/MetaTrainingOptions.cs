using System.Globalization;

namespace L2LOnnx.Train.MetaTraining;

/// <summary>
/// Settings of meta-training by truncated backpropagation through time (paper section 2 and 3).
/// Defaults are the paper's: 100-step trajectories unrolled 20 steps at a time, meta-loss the plain
/// sum of losses (w_t = 1), Adam as the meta-optimizer, second derivatives dropped.
/// </summary>
public sealed record MetaTrainingOptions
{
    /// <summary>How many trajectories to meta-train on. Each trajectory optimizes a fresh batch of problems.</summary>
    public int Trajectories { get; init; } = 100;

    /// <summary>Independent problems optimized side by side in one trajectory (one tensor computation): the meta-batch.</summary>
    public int ProblemsPerTrajectory { get; init; } = 32;

    /// <summary>Optimizee steps per trajectory (T).</summary>
    public int TrajectoryLength { get; init; } = 100;

    /// <summary>Steps per truncated-BPTT unroll; one meta-update follows each unroll.</summary>
    public int UnrollLength { get; init; } = 20;

    /// <summary>
    /// Back-propagate each unroll in segments of this many steps, recomputing each segment from its saved
    /// start (<see cref="SegmentedUnroll"/>): the same meta-gradient as one graph of the whole unroll, in the
    /// memory of one segment, at about one more forward pass. <c>null</c> keeps the whole unroll's graph.
    /// </summary>
    public int? RecomputeSegment { get; init; }

    /// <summary>
    /// The loss weights w_1 .. w_T of the meta-loss <c>sum_t w_t f(theta_t)</c>, one per step, or
    /// <c>null</c> for the paper's w_t = 1. An unroll whose weights are all zero takes no meta-step.
    /// </summary>
    public IReadOnlyList<double>? LossWeights { get; init; }

    /// <summary>What the meta-loss and the validation score sum over steps: the loss (the paper) or its logarithm.</summary>
    public MetaObjective Objective { get; init; } = MetaObjective.Loss;

    /// <summary>
    /// How validation rollouts are scored: the whole trajectory's meta-loss (the default), or the log of the
    /// final losses at T and V, what the evaluation protocol compares (<see cref="ValidationCriterion"/>).
    /// </summary>
    public ValidationCriterion Validation { get; init; } = ValidationCriterion.Trajectory;

    /// <summary>Learning rate of the Adam meta-optimizer (at the first trajectory).</summary>
    public double MetaLearningRate { get; init; } = 1e-2;

    /// <summary>
    /// Meta learning rate at the last trajectory, reached by geometric (log-linear) decay from
    /// <see cref="MetaLearningRate"/>; <c>null</c> keeps the rate constant.
    /// </summary>
    public double? FinalMetaLearningRate { get; init; }

    /// <summary>Clip the meta-gradient's global L2 norm to this value; <c>null</c> leaves it alone.</summary>
    public double? MetaGradientClip { get; init; } = 1.0;

    /// <summary>
    /// Keep the optimizee gradient in the graph (d grad / d phi != 0). The paper drops these second
    /// derivatives; keeping them costs Hessian-vector products.
    /// </summary>
    public bool SecondDerivatives { get; init; }

    /// <summary>Score the optimizer on fresh validation problems every this many trajectories (K).</summary>
    public int ValidateEvery { get; init; } = 10;

    /// <summary>Number of validation problems (drawn once, with their own seed).</summary>
    public int ValidationProblems { get; init; } = 64;

    /// <summary>
    /// Steps of each validation rollout; <c>null</c> means <see cref="TrajectoryLength"/>. Longer than T
    /// selects for optimizers that keep improving past the horizon they were trained on (the paper
    /// tests MNIST optimizers trained on 100 steps at 200).
    /// </summary>
    public int? ValidationSteps { get; init; }

    /// <summary>The validation rollout length in effect.</summary>
    public int ValidationHorizon => ValidationSteps ?? TrajectoryLength;

    /// <summary>
    /// Roll back on a collapse: when a validation score exceeds this multiple of the best so far, the run
    /// returns to the best weights and the meta-optimizer state saved with them, and halves the meta
    /// learning rate from then on (every rollback halves it again). <c>null</c> never rolls back.
    /// </summary>
    /// <remarks>
    /// Why: at the paper's meta learning rate (1e-2) a run can fall into a dead optimizer whose updates no
    /// longer move the optimizee (MNIST seed 3: validation 53 at trajectory 180, then the untrained level
    /// of 230 from trajectory 240 on, never recovering), and selecting the best checkpoint alone then
    /// wastes the rest of the run. A factor of 1.5-2 ignores the usual 1.3x noise between checks.
    /// </remarks>
    public double? RollbackFactor { get; init; }

    /// <summary>
    /// Start from these weights (an earlier run's best) instead of the network's initialisation, with a
    /// fresh meta-optimizer: a curriculum stage (<see cref="MetaTraining.WarmStart"/>). <c>null</c> starts
    /// from the initialisation.
    /// </summary>
    public WarmStart? WarmStart { get; init; }

    /// <summary>Seed of every random draw (problems, minibatches, validation); equal seeds give equal runs.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>File to write checkpoints to (atomically); <c>null</c> writes none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Write a checkpoint every this many trajectories (and at the end, and when interrupted).</summary>
    public int CheckpointEvery { get; init; } = 20;

    /// <summary>The loss weight of step <paramref name="step"/> (1-based); past T (in longer validation rollouts) the last weight repeats.</summary>
    public double LossWeight(int step) => LossWeights is { } weights ? weights[Math.Min(step, weights.Count) - 1] : 1.0;

    /// <summary>
    /// Whether a validation score of <paramref name="latest"/> against the best <paramref name="best"/> is a
    /// collapse that <see cref="RollbackFactor"/> rolls back. With <see cref="MetaObjective.LogLoss"/> or
    /// <see cref="ValidationCriterion.Horizons"/> the scores are (sums of) log losses, possibly negative, so the
    /// factor applies to the geometric mean loss: a collapse exceeds the best by log(factor) per unit of loss
    /// weight. A NaN score is a collapse.
    /// </summary>
    public bool IsCollapse(double latest, double best)
    {
        if (RollbackFactor is not { } factor) return false;
        // "!(a <= b)", not "a > b": a NaN score fails every comparison and must count as a collapse.
        if (this.IsLogarithmic()) return !(latest <= best + Math.Log(factor) * this.LogScoreWeight());
        return !(latest <= factor * best);
    }

    /// <summary>
    /// The meta learning rate for trajectory <paramref name="trajectory"/> (1-based), after
    /// <paramref name="rollbacks"/> rollbacks (<see cref="RollbackFactor"/>), each of which halves it.
    /// </summary>
    public double MetaLearningRateAt(int trajectory, int rollbacks = 0)
    {
        var halving = Math.Pow(0.5, rollbacks);
        if (FinalMetaLearningRate is not { } final || Trajectories == 1) return MetaLearningRate * halving;
        var progress = (double)(trajectory - 1) / (Trajectories - 1);
        return MetaLearningRate * Math.Pow(final / MetaLearningRate, progress) * halving;
    }

    /// <summary>Throws when the settings cannot describe a run.</summary>
    public void Validate()
    {
        if (Trajectories < 1) throw new ArgumentOutOfRangeException(nameof(Trajectories), Trajectories, "must be at least 1");
        if (ProblemsPerTrajectory < 1) throw new ArgumentOutOfRangeException(nameof(ProblemsPerTrajectory), ProblemsPerTrajectory, "must be at least 1");
        if (UnrollLength < 1) throw new ArgumentOutOfRangeException(nameof(UnrollLength), UnrollLength, "must be at least 1");
        if (TrajectoryLength < UnrollLength || TrajectoryLength % UnrollLength != 0)
            throw new ArgumentException($"TrajectoryLength ({TrajectoryLength}) must be a positive multiple of UnrollLength ({UnrollLength})");
        if (RecomputeSegment is { } segment && (segment < 1 || UnrollLength % segment != 0))
            throw new ArgumentException($"RecomputeSegment ({segment}) must divide UnrollLength ({UnrollLength}), e.g. 100 for an unroll of 1000");
        if (LossWeights is { } weights)
        {
            if (weights.Count != TrajectoryLength)
                throw new ArgumentException($"LossWeights has {weights.Count} entries; it needs one per step, {TrajectoryLength}");
            if (weights.Any(w => !(w >= 0 && double.IsFinite(w))) || weights.All(w => w == 0))
                throw new ArgumentException("LossWeights must be finite and non-negative, and not all zero");
        }
        if (!(MetaLearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(MetaLearningRate), MetaLearningRate, "must be positive");
        if (FinalMetaLearningRate is { } final && !(final > 0)) throw new ArgumentOutOfRangeException(nameof(FinalMetaLearningRate), final, "must be positive");
        if (MetaGradientClip is { } clip && !(clip > 0)) throw new ArgumentOutOfRangeException(nameof(MetaGradientClip), clip, "must be positive");
        if (ValidateEvery < 1) throw new ArgumentOutOfRangeException(nameof(ValidateEvery), ValidateEvery, "must be at least 1");
        if (ValidationProblems < 1) throw new ArgumentOutOfRangeException(nameof(ValidationProblems), ValidationProblems, "must be at least 1");
        if (ValidationSteps is { } v && v < 1) throw new ArgumentOutOfRangeException(nameof(ValidationSteps), v, "must be at least 1");
        if (RollbackFactor is { } rollback && !(rollback > 1 && double.IsFinite(rollback)))
            throw new ArgumentOutOfRangeException(nameof(RollbackFactor), rollback, "must be a finite factor above 1 (e.g. 2: roll back when validation doubles the best)");
        if (CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), CheckpointEvery, "must be at least 1");
    }

    /// <summary>
    /// Everything that decides the course of a run, except the number of trajectories (a run may be
    /// resumed with more) and the checkpoint settings: a resumed run must match it.
    /// </summary>
    public string Fingerprint()
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var weights = LossWeights is { } w ? string.Join(",", w.Select(F)) : "1";
        return string.Join("; ",
            $"problems per trajectory {ProblemsPerTrajectory}", $"T {TrajectoryLength}", $"unroll {UnrollLength}", $"loss weights {weights}",
            $"meta-lr {F(MetaLearningRate)}", $"final meta-lr {(FinalMetaLearningRate is { } f ? F(f) : "constant")}",
            $"clip {(MetaGradientClip is { } c ? F(c) : "none")}", $"second derivatives {SecondDerivatives}",
            $"validate every {ValidateEvery}", $"validation problems {ValidationProblems}", $"validation steps {ValidationHorizon}", $"seed {Seed}")
            // Appended only when set, so that checkpoints of runs without it still resume.
            + (RollbackFactor is { } r ? $"; rollback above {F(r)}x best" : "")
            + (Objective != MetaObjective.Loss ? $"; objective {Objective.Name()}" : "")
            + (Validation != ValidationCriterion.Trajectory ? $"; validation {Validation.Name()}" : "")
            + (WarmStart is { } start ? $"; warm start {start.Digest}" : "")
            + (RecomputeSegment is { } segment ? $"; recomputed in segments of {segment}" : "");
    }
}
