using L2LOnnx.Runtime.Baselines;

namespace L2LOnnx.MLNet;

/// <summary>
/// Settings every learned-optimizer trainer shares. The trainer fits its model (logistic, softmax or
/// linear, optionally with one hidden layer) by minibatch gradient steps; each step's update comes from
/// the learned optimizer (an ONNX file obeying contract v1) or, for comparison, from a hand-designed
/// <see cref="Baseline"/>.
/// </summary>
public abstract class LearnedOptimizerTrainerOptions
{
    /// <summary>The label column. Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default <c>Features</c>.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>
    /// The example-weight column: a <see cref="float"/> scalar, finite and &gt;= 0, with at least one row
    /// above 0. Each row's loss counts this many times, as if the row were repeated (a weight of 0 drops
    /// it). Default <c>null</c>: every row weighs 1.
    /// </summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>
    /// The learned optimizer: path of a contract-v1 ONNX file. Default <c>null</c>: the shipped general
    /// optimizer <c>models/general.onnx</c> (see <see cref="DefaultLearnedOptimizer"/>). Ignored when
    /// <see cref="Baseline"/> is set.
    /// </summary>
    public string? OptimizerPath { get; set; }

    /// <summary>
    /// Train with this hand-designed optimizer instead of the learned one, to compare the two on the same
    /// pipeline. Default <c>null</c> (use the learned optimizer).
    /// </summary>
    public BaselineKind? Baseline { get; set; }

    /// <summary>
    /// Learning rate of <see cref="Baseline"/>. Default <c>null</c>: 0.1 for SGD, 0.01 for NAG, 0.001
    /// for RMSprop and Adam. The learned optimizer has no learning rate.
    /// </summary>
    public double? LearningRate { get; set; }

    /// <summary>Passes over the training data. Default 10. Ignored when <see cref="NumberOfSteps"/> is set.</summary>
    public int NumberOfEpochs { get; set; } = 10;

    /// <summary>
    /// Exact number of minibatch steps (optimizer updates), cycling through the data as often as needed.
    /// Default <c>null</c>: <see cref="NumberOfEpochs"/> full passes.
    /// </summary>
    public int? NumberOfSteps { get; set; }

    /// <summary>Rows per minibatch. Default 128 (the paper's MNIST setting).</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Seed of the weight initialisation and the per-epoch shuffles; equal seeds give equal models. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Train on features centred at their (weighted) training means, then fold the means into the first
    /// layer's biases, so the model is the same function of the raw features. Default true. Centred inputs
    /// decouple the biases from the weights, which conditions the problem (LeCun et al. 1998, "Efficient
    /// BackProp"); ML.NET's <c>NormalizeMeanVariance</c> scales but does not centre by default
    /// (<c>fixZero</c>), and the learned optimizers were meta-trained on zero-mean synthetic features.
    /// Applies to every optimizer, the baselines included.
    /// </summary>
    public bool CenterFeatures { get; set; } = true;

    /// <summary>L2 penalty <c>λ/2 · ‖W‖²</c> on the weights (not the biases), added to the mean loss. Default 0.</summary>
    public float L2Regularization { get; set; }

    /// <summary>
    /// Units in one hidden layer between the features and the output. Default 0: no hidden layer, i.e. a
    /// linear model (logistic regression, softmax regression, least squares).
    /// </summary>
    public int HiddenLayerSize { get; set; }

    /// <summary>Nonlinearity of the hidden layer. Default <see cref="HiddenActivation.Relu"/>.</summary>
    public HiddenActivation Activation { get; set; } = HiddenActivation.Relu;

    /// <summary>
    /// ONNX Runtime threads inside one learned-optimizer step (intra-op). Default 0: ONNX Runtime chooses
    /// (one per physical core). Set 1 when several trainings share the machine.
    /// </summary>
    public int NumberOfThreads { get; set; }

    /// <summary>
    /// Called every <see cref="ProgressInterval"/> steps and after the last, on the training thread. Default
    /// <c>null</c>. The same progress also goes to <c>MLContext.Log</c> (kind <c>Info</c>, source the trainer's
    /// name and channel, e.g. <c>LearnedOptimizerBinaryTrainer; Training</c>), as ML.NET's own trainers report theirs.
    /// </summary>
    public Action<TrainingProgress>? Progress { get; set; }

    /// <summary>Steps between <see cref="Progress"/> calls (and between points of <see cref="TrainingReport.LossHistory"/>). Default 100.</summary>
    public int ProgressInterval { get; set; } = 100;

    /// <summary>The learning rate a baseline uses when <see cref="LearningRate"/> is not set.</summary>
    public static double DefaultLearningRate(BaselineKind kind) => kind switch
    {
        BaselineKind.Sgd => 0.1,
        BaselineKind.Nag => 0.01,
        _ => 0.001,
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting that cannot work.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(LabelColumnName, nameof(LabelColumnName));
        ArgumentException.ThrowIfNullOrWhiteSpace(FeatureColumnName, nameof(FeatureColumnName));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumberOfEpochs, nameof(NumberOfEpochs));
        if (NumberOfSteps is { } steps) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps, nameof(NumberOfSteps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(HiddenLayerSize, nameof(HiddenLayerSize));
        ArgumentOutOfRangeException.ThrowIfNegative(NumberOfThreads, nameof(NumberOfThreads));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ProgressInterval, nameof(ProgressInterval));
        if (!(L2Regularization >= 0) || float.IsInfinity(L2Regularization))
            throw new ArgumentOutOfRangeException(nameof(L2Regularization), L2Regularization, "must be a finite number >= 0");
        if (LearningRate is { } lr && !(lr > 0 && double.IsFinite(lr)))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), lr, "must be a finite number > 0");
        if (LabelColumnName == FeatureColumnName)
            throw new ArgumentException($"the label and feature columns must differ (both are '{LabelColumnName}')", nameof(FeatureColumnName));
        if (ExampleWeightColumnName is { } weight)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(weight, nameof(ExampleWeightColumnName));
            if (weight == LabelColumnName || weight == FeatureColumnName)
                throw new ArgumentException($"the example-weight column must differ from the label and feature columns (it is '{weight}')", nameof(ExampleWeightColumnName));
        }
    }
}
