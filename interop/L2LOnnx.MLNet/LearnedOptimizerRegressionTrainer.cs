using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace L2LOnnx.MLNet;

/// <summary>
/// Regression with a linear model (squared loss), fitted by minibatch gradient steps whose updates come from a learned optimizer. Label: Single. Output column: <c>Score</c>. The label is standardised while training (the loss in <see cref="TrainingReport.LossHistory"/> is half the mean squared error in units of the label's variance) and the model predicts in the label's units.
/// </summary>
/// <remarks>
/// Create it with <see cref="LearnedOptimizerCatalog"/>. <c>Fit</c> checks the columns and the optimizer
/// file, reads the training data into memory, trains, and returns a <see cref="LearnedOptimizerTransformer"/>.
/// Features should be normalised first (e.g. <c>mlContext.Transforms.NormalizeMinMax</c>), as for ML.NET's
/// SDCA and online gradient descent.
/// </remarks>
public sealed class LearnedOptimizerRegressionTrainer : ITrainerEstimator<LearnedOptimizerTransformer, LearnedModelParameters>
{
    private readonly TrainerCore core;

    internal LearnedOptimizerRegressionTrainer(IHostEnvironment environment, Options options) =>
        core = new TrainerCore(environment, nameof(LearnedOptimizerRegressionTrainer), options, new RegressionTask());

    /// <summary>Options of <see cref="LearnedOptimizerRegressionTrainer"/>; every setting and default is described on <see cref="LearnedOptimizerTrainerOptions"/>.</summary>
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
