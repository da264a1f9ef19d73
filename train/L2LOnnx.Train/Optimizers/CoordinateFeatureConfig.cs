using System.Globalization;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// Which per-coordinate inputs a feature-based optimizer sees (RNNprop, Lv et al. 2017; small_fc_lopt,
/// Metz et al. 2022), all computed from accumulators kept in the contract-v1 state: the gradient and
/// momenta at several decays, each divided by the RMS of the gradient (Adam's normalisation, so the
/// features do not change when the loss is scaled), optionally the parameter value and a step feature.
/// </summary>
/// <param name="MomentumDecays">Decays of the momenta (exponential moving averages of the gradient), e.g. 0.5, 0.9, 0.99, 0.999.</param>
/// <param name="SecondMomentDecay">Decay of the second moment (moving average of the squared gradient), Adam's beta2.</param>
/// <param name="Epsilon">Added to the RMS before dividing, as in Adam.</param>
/// <param name="UseParameter">Feed the parameter value as a feature (the model then declares contract v1's <c>param</c> input).</param>
/// <param name="TimeScales">Step features <c>tanh(t / tau)</c>, one per time scale tau; empty for none.</param>
public sealed record CoordinateFeatureConfig(
    IReadOnlyList<double> MomentumDecays,
    double SecondMomentDecay = 0.999,
    double Epsilon = 1e-8,
    bool UseParameter = false,
    IReadOnlyList<double>? TimeScales = null)
{
    /// <summary>The default: momenta at 0.5, 0.9, 0.99 and 0.999, second moment at 0.999, no parameter or step feature.</summary>
    public static CoordinateFeatureConfig Default { get; } = new([0.5, 0.9, 0.99, 0.999]);

    /// <summary>The step features' time scales (never null).</summary>
    public IReadOnlyList<double> Times => TimeScales ?? [];

    /// <summary>Number of momenta.</summary>
    public int Momenta => MomentumDecays.Count;

    /// <summary>
    /// Columns of the accumulator state, in order: the momenta, the second moment, their bias
    /// corrections <c>1 - beta^t</c> (one per decay, the second moment's last), the step count.
    /// </summary>
    public int StateSize => 2 * (Momenta + 1) + 1;

    /// <summary>Features per coordinate: normalised gradient, normalised momenta, [parameter], [step features].</summary>
    public int FeatureCount => 1 + Momenta + (UseParameter ? 1 : 0) + Times.Count;

    /// <summary>The decays of the state's moving averages: the momenta's, then the second moment's.</summary>
    public float[] AccumulatorDecays() => MomentumDecays.Select(d => (float)d).Append((float)SecondMomentDecay).ToArray();

    /// <summary>Throws when the settings cannot describe features.</summary>
    public void Validate()
    {
        if (MomentumDecays.Count == 0) throw new ArgumentException("needs at least one momentum decay (e.g. 0.9)", nameof(MomentumDecays));
        if (MomentumDecays.Append(SecondMomentDecay).Any(d => !(d >= 0 && d < 1)))
            throw new ArgumentOutOfRangeException(nameof(MomentumDecays), "every decay must be in [0, 1), e.g. 0.9 or 0.999");
        if (!(Epsilon > 0 && double.IsFinite(Epsilon))) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "must be positive and finite");
        if (Times.Any(t => !(t > 0 && double.IsFinite(t)))) throw new ArgumentOutOfRangeException(nameof(TimeScales), "every time scale must be positive and finite");
    }

    /// <summary>A one-line description, used in logs, fingerprints and ONNX metadata.</summary>
    public string Describe()
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var parts = new List<string> { $"g/rms, m/rms at {string.Join(",", MomentumDecays.Select(F))}", $"rms decay {F(SecondMomentDecay)}", $"eps {F(Epsilon)}" };
        if (UseParameter) parts.Add("param");
        if (Times.Count > 0) parts.Add($"tanh(t/{string.Join(",", Times.Select(F))})");
        return string.Join(", ", parts);
    }
}
