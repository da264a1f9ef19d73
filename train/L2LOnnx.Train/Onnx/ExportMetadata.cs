using System.Globalization;
using L2LOnnx.Train.MetaTraining;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// What an exported file records about where it came from, beyond the network's shape (which the
/// exporter reads from the network itself): the problem family, the parameter group, and free-form
/// details such as meta-training settings, counts and the validation score.
/// </summary>
public sealed record ExportMetadata
{
    /// <summary>Problem family the optimizer was meta-trained on, e.g. <c>quadratic-10d</c>.</summary>
    public string TrainedOn { get; init; } = "unknown";

    /// <summary>
    /// The parameter group this network serves when an optimizee's parameters are split into groups
    /// with one network each (the paper's CIFAR-10 model uses one for convolutions, one for the
    /// fully-connected layers); <c>null</c> for a single network. Stored as <c>l2l.group</c>.
    /// </summary>
    public string? Group { get; init; }

    /// <summary>Free-form details (meta-training settings, counts, validation score), stored as <c>l2l.&lt;key&gt;</c>.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The metadata of a network that came out of <see cref="MetaTrainer.Train"/>: the family, every
    /// meta-training setting, and the run's counts and validation scores, under <c>l2l.meta.*</c>; and
    /// how the optimizee's data was split, under <c>l2l.optimizee.data_split</c>, when given.
    /// </summary>
    /// <param name="trainedOn">The problem family's name.</param>
    /// <param name="options">The run's settings.</param>
    /// <param name="result">What the run returned.</param>
    /// <param name="dataSplit">Which data the optimizees trained on and which was held out (e.g. <c>ProblemSpec.DescribeSplit</c>), or null.</param>
    public static ExportMetadata ForMetaTraining(string trainedOn, MetaTrainingOptions options, MetaTrainingResult result, string? dataSplit = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(result);
        var details = new Dictionary<string, string>
        {
            ["meta.trajectories"] = Format(result.Trajectories),
            ["meta.problems_per_trajectory"] = Format(options.ProblemsPerTrajectory),
            ["meta.trajectory_length"] = Format(options.TrajectoryLength),
            ["meta.unroll_length"] = Format(options.UnrollLength),
            ["meta.loss_weights"] = options.LossWeights is { } weights ? string.Join(",", weights.Select(Format)) : "uniform",
            ["meta.learning_rate"] = Format(options.MetaLearningRate),
            ["meta.final_learning_rate"] = options.FinalMetaLearningRate is { } final ? Format(final) : "constant",
            ["meta.gradient_clip"] = options.MetaGradientClip is { } clip ? Format(clip) : "none",
            ["meta.second_derivatives"] = options.SecondDerivatives ? "true" : "false",
            ["meta.seed"] = Format(options.Seed),
            ["meta.validation_problems"] = Format(options.ValidationProblems),
            ["meta.validate_every"] = Format(options.ValidateEvery),
            ["meta.validation_steps"] = Format(options.ValidationHorizon),
            ["meta.best_trajectory"] = Format(result.BestTrajectory),
            ["meta.validation_loss"] = Format(result.BestValidation),
            ["meta.validation_loss_untrained"] = Format(result.InitialValidation),
            ["meta.skipped_meta_steps"] = Format(result.SkippedMetaSteps),
            ["meta.interrupted"] = result.Interrupted ? "true" : "false",
            ["meta.seconds"] = Format(Math.Round(result.Elapsed.TotalSeconds, 1)),
        };
        if (options.RollbackFactor is { } rollback)
        {
            details["meta.rollback_factor"] = Format(rollback);
            details["meta.rollbacks"] = Format(result.Rollbacks);
        }
        if (options.Objective != MetaObjective.Loss) details["meta.objective"] = options.Objective.Name();
        if (options.Validation != ValidationCriterion.Trajectory) details["meta.validation_criterion"] = options.Validation.Name();
        if (options.WarmStart is { } start) details["meta.warm_start"] = start.Describe();
        if (dataSplit is not null) details["optimizee.data_split"] = dataSplit;
        return new ExportMetadata { TrainedOn = trainedOn, Details = details };
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
