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

    /// <summary>Independent problems optimized side by side in one trajectory (one tensor computation).</summary>
    public int ProblemsPerTrajectory { get; init; } = 32;

    /// <summary>Optimizee steps per trajectory (T).</summary>
    public int TrajectoryLength { get; init; } = 100;

    /// <summary>Steps per truncated-BPTT unroll; one meta-update follows each unroll.</summary>
    public int UnrollLength { get; init; } = 20;

    /// <summary>Learning rate of the Adam meta-optimizer.</summary>
    public double MetaLearningRate { get; init; } = 1e-2;

    /// <summary>Clip the meta-gradient's global L2 norm to this value; <c>null</c> leaves it alone.</summary>
    public double? MetaGradientClip { get; init; } = 1.0;

    /// <summary>
    /// Keep the optimizee gradient in the graph (d grad / d phi != 0). The paper drops these second
    /// derivatives; keeping them costs Hessian-vector products.
    /// </summary>
    public bool SecondDerivatives { get; init; }

    /// <summary>Score the optimizer on fresh validation problems every this many trajectories.</summary>
    public int ValidateEvery { get; init; } = 10;

    /// <summary>Number of validation problems (drawn once, with their own seed).</summary>
    public int ValidationProblems { get; init; } = 64;

    /// <summary>Seed of every random draw (network initialisation, problems); equal seeds give equal runs.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Throws when the settings cannot describe a run.</summary>
    public void Validate()
    {
        if (Trajectories < 1) throw new ArgumentOutOfRangeException(nameof(Trajectories), Trajectories, "must be at least 1");
        if (ProblemsPerTrajectory < 1) throw new ArgumentOutOfRangeException(nameof(ProblemsPerTrajectory), ProblemsPerTrajectory, "must be at least 1");
        if (UnrollLength < 1) throw new ArgumentOutOfRangeException(nameof(UnrollLength), UnrollLength, "must be at least 1");
        if (TrajectoryLength < UnrollLength || TrajectoryLength % UnrollLength != 0)
            throw new ArgumentException($"TrajectoryLength ({TrajectoryLength}) must be a positive multiple of UnrollLength ({UnrollLength})");
        if (!(MetaLearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(MetaLearningRate), MetaLearningRate, "must be positive");
        if (MetaGradientClip is { } clip && !(clip > 0)) throw new ArgumentOutOfRangeException(nameof(MetaGradientClip), clip, "must be positive");
        if (ValidateEvery < 1) throw new ArgumentOutOfRangeException(nameof(ValidateEvery), ValidateEvery, "must be at least 1");
        if (ValidationProblems < 1) throw new ArgumentOutOfRangeException(nameof(ValidationProblems), ValidationProblems, "must be at least 1");
    }
}
