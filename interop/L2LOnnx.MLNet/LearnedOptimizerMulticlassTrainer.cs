using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace L2LOnnx.MLNet;

/// <summary>
/// Multiclass classification with a softmax model (cross-entropy), or a one-hidden-layer perceptron when <see cref="LearnedOptimizerTrainerOptions.HiddenLayerSize"/> is set, fitted by minibatch gradient steps whose updates come from a learned optimizer. Label: a key (use <c>MapValueToKey</c>). Output columns: <c>Score</c> (class probabilities), <c>PredictedLabel</c> (a key with the label's key values, so <c>MapKeyToValue</c> gives the original labels back).
/// </summary>
/// <remarks>
/// Create it with <see cref="LearnedOptimizerCatalog"/>. <c>Fit</c> checks the columns and the optimizer
/// file, reads the training data into memory, trains, and returns a <see cref="LearnedOptimizerTransformer"/>.
/// Features should be normalised first (e.g. <c>mlContext.Transforms.NormalizeMinMax</c>), as for ML.NET's
/// SDCA and online gradient descent.
/// </remarks>
public sealed class LearnedOptimizerMulticlassTrainer : ITrainerEstimator<LearnedOptimizerTransformer, LearnedModelParameters>
{
    private readonly TrainerCore core;

    internal LearnedOptimizerMulticlassTrainer(IHostEnvironment environment, Options options) =>
        core = new TrainerCore(environment, nameof(LearnedOptimizerMulticlassTrainer), options, new MulticlassTask());

    /// <summary>Options of <see cref="LearnedOptimizerMulticlassTrainer"/>; every setting and default is described on <see cref="LearnedOptimizerTrainerOptions"/>.</summary>
    public sealed class Options : LearnedOptimizerTrainerOptions;

    /// <summary>Needs normalised features; no calibration, validation set or incremental training (ML.NET's default flags).</summary>
    public TrainerInfo Info => TrainerFlags.Default;

    /// <summary>Trains on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type, a label is out of range, or a feature is not finite; the message names the column.</exception>
    /// <exception cref="FileNotFoundException">The optimizer file does not exist.</exception>
    /// <exception cref="L2LOnnx.Runtime.ContractViolationException">The optimizer file breaks contract v1; the message names the file.</exception>
    /// <exception cref="TrainingDivergedException">The loss stopped being finite.</exception>
    public LearnedOptimizerTransformer Fit(IDataView input) => core.Fit(input);

    /// <summary>The schema <see cref="Fit"/> will produce; checks the columns without training.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => core.GetOutputSchema(inputSchema);
}
