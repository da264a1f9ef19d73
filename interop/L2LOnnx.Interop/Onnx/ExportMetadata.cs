using System.Globalization;
using L2LOnnx.Train.MetaTraining;

namespace L2LOnnx.Interop.Onnx;

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
    /// meta-training setting, and the run's counts and validation scores, under <c>l2l.meta.*</c>.
    /// </summary>
    public static ExportMetadata ForMetaTraining(string trainedOn, MetaTrainingOptions options, MetaTrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(result);
        return new ExportMetadata
        {
            TrainedOn = trainedOn,
            Details = new Dictionary<string, string>
            {
                ["meta.trajectories"] = Format(result.Trajectories),
                ["meta.problems_per_trajectory"] = Format(options.ProblemsPerTrajectory),
                ["meta.trajectory_length"] = Format(options.TrajectoryLength),
                ["meta.unroll_length"] = Format(options.UnrollLength),
                ["meta.learning_rate"] = Format(options.MetaLearningRate),
                ["meta.gradient_clip"] = options.MetaGradientClip is { } clip ? Format(clip) : "none",
                ["meta.second_derivatives"] = options.SecondDerivatives ? "true" : "false",
                ["meta.seed"] = Format(options.Seed),
                ["meta.validation_problems"] = Format(options.ValidationProblems),
                ["meta.validate_every"] = Format(options.ValidateEvery),
                ["meta.best_trajectory"] = Format(result.BestTrajectory),
                ["meta.validation_loss"] = Format(result.BestValidation),
                ["meta.validation_loss_untrained"] = Format(result.InitialValidation),
                ["meta.skipped_meta_steps"] = Format(result.SkippedMetaSteps),
                ["meta.seconds"] = Format(Math.Round(result.Elapsed.TotalSeconds, 1)),
            },
        };
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
