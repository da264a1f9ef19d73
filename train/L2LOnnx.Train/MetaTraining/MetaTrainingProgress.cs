namespace L2LOnnx.Train.MetaTraining;

/// <summary>A progress report, sent after every trajectory.</summary>
/// <param name="Trajectory">Trajectories done so far.</param>
/// <param name="Trajectories">Trajectories in the run.</param>
/// <param name="MetaLoss">Mean over the trajectory's unrolls of the meta-loss (sum of losses per unroll, mean over problems).</param>
/// <param name="Validation">The latest validation score (lower is better), or null before the first check.</param>
/// <param name="BestValidation">The best validation score so far, or null.</param>
/// <param name="SkippedMetaSteps">Meta-steps skipped so far because the meta-loss was not finite.</param>
/// <param name="Elapsed">Wall time since the run started.</param>
public sealed record MetaTrainingProgress(
    int Trajectory,
    int Trajectories,
    double MetaLoss,
    double? Validation,
    double? BestValidation,
    int SkippedMetaSteps,
    TimeSpan Elapsed);

/// <summary>The outcome of a meta-training run.</summary>
/// <param name="Trajectories">Trajectories trained.</param>
/// <param name="InitialValidation">Validation score of the untrained network.</param>
/// <param name="BestValidation">Best validation score; the network holds the weights that scored it.</param>
/// <param name="BestTrajectory">After how many trajectories the best score was measured (0 = untrained).</param>
/// <param name="SkippedMetaSteps">Meta-steps skipped because the meta-loss was not finite.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record MetaTrainingResult(
    int Trajectories,
    double InitialValidation,
    double BestValidation,
    int BestTrajectory,
    int SkippedMetaSteps,
    TimeSpan Elapsed);
