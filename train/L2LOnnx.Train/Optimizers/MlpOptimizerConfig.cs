using System.Globalization;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// Shape of a coordinatewise MLP optimizer (small_fc_lopt in spirit, Metz et al. 2022, made
/// coordinatewise): features -> hidden layers (ReLU) -> (direction, magnitude), plus a linear skip from
/// the features; <c>update = StepSize * direction * exp(MagnitudeRange * tanh(magnitude))</c>.
/// </summary>
/// <param name="Features">The per-coordinate inputs.</param>
/// <param name="HiddenSizes">Units of each hidden layer (e.g. 16, 16); empty for a linear optimizer.</param>
/// <param name="StepSize">The update scale <c>b</c> at magnitude 0.</param>
/// <param name="MagnitudeRange">
/// <c>a</c> in <c>exp(a tanh(magnitude))</c>: the learned step size stays within <c>StepSize * e^-a</c>
/// and <c>StepSize * e^a</c>, so no output can make the update explode.
/// </param>
/// <param name="BoundedDirection">Pass the direction through tanh, so every update is at most <c>StepSize * e^a</c> in magnitude.</param>
/// <param name="StepAdaptationRate">
/// 0 for none; otherwise the largest change per step of a learned per-coordinate log step size kept in
/// the state (<see cref="StepAdaptation"/>): <c>l' = clip(l + rate * tanh(change), -range, range)</c>,
/// and every update is multiplied by <c>e^l'</c>.
/// </param>
/// <param name="StepAdaptationRange">How far the learned log step size may go either way (6.9: the step stays within 1/1000 .. 1000 times <c>StepSize</c>).</param>
/// <param name="StepAdaptationCeiling">
/// The largest learned log step, when below <paramref name="StepAdaptationRange"/> (null: the range): the clip becomes
/// <c>[-range, ceiling]</c>, while the network still reads <c>l / range</c>, so a model trained with a wider ceiling can be
/// fine-tuned or run with a lower one. Grown steps are what let a learned step drift past its horizon: on held-out MNIST the
/// coordinates at the upper bound held most of the parameter norm after 400 steps (docs/general.md).
/// </param>
public sealed record MlpOptimizerConfig(
    CoordinateFeatureConfig Features,
    IReadOnlyList<int> HiddenSizes,
    double StepSize = 0.01,
    double MagnitudeRange = 4.6,
    bool BoundedDirection = false,
    double StepAdaptationRate = 0,
    double StepAdaptationRange = 6.9,
    double? StepAdaptationCeiling = null)
{
    /// <summary>The default: the default features, two hidden layers of 16, step 0.01 within 1e-4 .. 1.</summary>
    public static MlpOptimizerConfig Default { get; } = new(CoordinateFeatureConfig.Default, [16, 16]);

    /// <summary>Throws when the configuration cannot describe a network.</summary>
    public void Validate()
    {
        Features.Validate();
        if (HiddenSizes.Any(h => h < 1)) throw new ArgumentOutOfRangeException(nameof(HiddenSizes), "every hidden layer needs at least one unit");
        if (!(StepSize > 0 && double.IsFinite(StepSize))) throw new ArgumentOutOfRangeException(nameof(StepSize), StepSize, "must be positive and finite");
        if (!(MagnitudeRange >= 0 && double.IsFinite(MagnitudeRange))) throw new ArgumentOutOfRangeException(nameof(MagnitudeRange), MagnitudeRange, "must be non-negative and finite");
        if (!(StepAdaptationRate >= 0 && StepAdaptationRate <= 1)) throw new ArgumentOutOfRangeException(nameof(StepAdaptationRate), StepAdaptationRate, "must be in [0, 1] (0 = no step adaptation; 0.2 lets the step grow or shrink by up to 22 % per step)");
        if (!(StepAdaptationRange > 0 && StepAdaptationRange <= 20)) throw new ArgumentOutOfRangeException(nameof(StepAdaptationRange), StepAdaptationRange, "must be in (0, 20], e.g. 6.9 for a factor of 1000 either way");
        if (StepAdaptationCeiling is { } ceiling && !(ceiling > -StepAdaptationRange && ceiling <= StepAdaptationRange))
            throw new ArgumentOutOfRangeException(nameof(StepAdaptationCeiling), ceiling, $"must be in (-range, range] = (-{StepAdaptationRange}, {StepAdaptationRange}], e.g. 0 so that the learned step never grows above the step size");
    }

    /// <summary>The upper clip of the learned log step: <see cref="StepAdaptationCeiling"/>, else the range.</summary>
    public double LogStepMax => StepAdaptationCeiling ?? StepAdaptationRange;

    /// <summary>Whether the optimizer learns a per-coordinate step size kept in its state.</summary>
    public bool StepAdaptation => StepAdaptationRate > 0;

    /// <summary>Inputs of the network: the features, plus the step-agreement and log-step inputs with step adaptation.</summary>
    public int InputCount => Features.FeatureCount + (StepAdaptation ? 2 : 0);

    /// <summary>Outputs of the network: direction, magnitude, and with step adaptation the change of the log step.</summary>
    public int OutputCount => StepAdaptation ? 3 : 2;

    /// <summary>Columns of the state: the feature accumulators, then with step adaptation the log step.</summary>
    public int StateSize => Features.StateSize + (StepAdaptation ? 1 : 0);

    /// <summary>
    /// Multiply-adds per coordinate and step of the network (features excluded): the layers and the skip.
    /// Twice this is its FLOP count.
    /// </summary>
    public int MultiplyAdds
    {
        get
        {
            var sizes = HiddenSizes.Prepend(InputCount).Append(OutputCount).ToArray();
            return Enumerable.Range(0, sizes.Length - 1).Sum(i => sizes[i] * sizes[i + 1]) + OutputCount * InputCount;
        }
    }

    /// <summary>A one-line description, used in logs, fingerprints and ONNX metadata.</summary>
    public string Describe()
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var layers = string.Join("-", HiddenSizes.Prepend(InputCount).Append(OutputCount));
        var bounds = LogStepMax != StepAdaptationRange ? $"-{F(StepAdaptationRange)} .. {F(LogStepMax)}" : $"+-{F(StepAdaptationRange)}";
        var adaptation = StepAdaptation ? $" x exp(l), learned log step l changing by at most {F(StepAdaptationRate)} per step within {bounds}" : "";
        return $"coordinatewise MLP {layers} + skip on {Features.Describe()}; update {F(StepSize)} x {(BoundedDirection ? "tanh(direction)" : "direction")} x exp({F(MagnitudeRange)} tanh(magnitude)){adaptation}";
    }
}
