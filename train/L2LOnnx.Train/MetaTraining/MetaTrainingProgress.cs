namespace L2LOnnx.Train.MetaTraining;

/// <summary>A progress report, sent after every trajectory.</summary>
/// <param name="Trajectory">Trajectories done so far.</param>
/// <param name="Trajectories">Trajectories in the run.</param>
/// <param name="MetaLoss">Mean over the trajectory's unrolls of the meta-loss (weighted sum of losses per unroll, mean over problems).</param>
/// <param name="Validation">The latest validation score (lower is better), or null before the first check.</param>
/// <param name="BestValidation">The best validation score so far, or null.</param>
/// <param name="SkippedMetaSteps">Meta-steps skipped so far because the meta-loss or meta-gradient was not finite.</param>
/// <param name="MetaLearningRate">The meta learning rate used for this trajectory.</param>
/// <param name="Elapsed">Wall time since the run started (over all sessions of a resumed run).</param>
public sealed record MetaTrainingProgress(
    int Trajectory,
    int Trajectories,
    double MetaLoss,
    double? Validation,
    double? BestValidation,
    int SkippedMetaSteps,
    double MetaLearningRate,
    TimeSpan Elapsed)
{
    /// <summary>Rollbacks so far (<see cref="MetaTrainingOptions.RollbackFactor"/>).</summary>
    public int Rollbacks { get; init; }
}

/// <summary>The outcome of a meta-training run.</summary>
/// <param name="Trajectories">Trajectories trained (over all sessions of a resumed run).</param>
/// <param name="InitialValidation">Validation score of the untrained network.</param>
/// <param name="BestValidation">Best validation score; the network holds the weights that scored it.</param>
/// <param name="BestTrajectory">After how many trajectories the best score was measured (0 = untrained).</param>
/// <param name="SkippedMetaSteps">Meta-steps skipped because the meta-loss or meta-gradient was not finite.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record MetaTrainingResult(
    int Trajectories,
    double InitialValidation,
    double BestValidation,
    int BestTrajectory,
    int SkippedMetaSteps,
    TimeSpan Elapsed)
{
    /// <summary>True when the run stopped early on cancellation (its checkpoint allows resuming).</summary>
    public bool Interrupted { get; init; }

    /// <summary>The trajectory count the run was resumed from, or null for a fresh run.</summary>
    public int? ResumedFrom { get; init; }

    /// <summary>How often the run returned to its best weights after a collapse (<see cref="MetaTrainingOptions.RollbackFactor"/>).</summary>
    public int Rollbacks { get; init; }

    /// <summary>
    /// Each validation problem's score for <see cref="InitialValidation"/> (its mean), in the order of the
    /// validation batch; null in a resumed run, whose checkpoint keeps only the mean.
    /// </summary>
    public IReadOnlyList<double>? InitialValidationScores { get; init; }

    /// <summary>
    /// Each validation problem's score for <see cref="BestValidation"/>; null when the best predates a resume.
    /// </summary>
    public IReadOnlyList<double>? BestValidationScores { get; init; }
}
