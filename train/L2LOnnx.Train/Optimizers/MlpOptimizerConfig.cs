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
public sealed record MlpOptimizerConfig(
    CoordinateFeatureConfig Features,
    IReadOnlyList<int> HiddenSizes,
    double StepSize = 0.01,
    double MagnitudeRange = 4.6,
    bool BoundedDirection = false)
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
    }

    /// <summary>
    /// Multiply-adds per coordinate and step of the network (features excluded): the layers and the skip.
    /// Twice this is its FLOP count.
    /// </summary>
    public int MultiplyAdds
    {
        get
        {
            var sizes = HiddenSizes.Prepend(Features.FeatureCount).Append(2).ToArray();
            return Enumerable.Range(0, sizes.Length - 1).Sum(i => sizes[i] * sizes[i + 1]) + 2 * Features.FeatureCount;
        }
    }

    /// <summary>A one-line description, used in logs, fingerprints and ONNX metadata.</summary>
    public string Describe()
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var layers = string.Join("-", HiddenSizes.Prepend(Features.FeatureCount).Append(2));
        return $"coordinatewise MLP {layers} + skip on {Features.Describe()}; update {F(StepSize)} x {(BoundedDirection ? "tanh(direction)" : "direction")} x exp({F(MagnitudeRange)} tanh(magnitude))";
    }
}
