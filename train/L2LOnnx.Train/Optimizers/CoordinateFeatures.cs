using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// Computes the per-coordinate features of <see cref="CoordinateFeatureConfig"/> and the next
/// accumulator state, coordinate-major: state [N, S], features [N, F].
/// </summary>
/// <remarks>
/// Contract v1 starts every state at zero, so the bias corrections <c>1 - beta^t</c> are kept as moving
/// averages of the constant 1 (<c>d' = beta d + (1 - beta)</c> gives exactly <c>1 - beta^t</c> from
/// <c>d = 0</c>) rather than computed with a power. The exporter writes the same operations in the same
/// order with the same float32 constants (<c>MlpOptimizerExporter</c>), so TorchSharp and ONNX agree
/// to float rounding.
/// </remarks>
public sealed class CoordinateFeatures : IDisposable
{
    private readonly Tensor decays;
    private readonly Tensor oneMinusDecays;
    private readonly Tensor inverseTimes;

    /// <summary>The feature settings.</summary>
    public CoordinateFeatureConfig Config { get; }

    /// <summary>Prepares the constants of <paramref name="config"/>.</summary>
    public CoordinateFeatures(CoordinateFeatureConfig config)
    {
        config.Validate();
        Config = config;
        var d = config.AccumulatorDecays();
        decays = tensor(d).unsqueeze(0).DetachFromDisposeScope();
        oneMinusDecays = tensor(d.Select(v => 1f - v).ToArray()).unsqueeze(0).DetachFromDisposeScope();
        inverseTimes = tensor(config.Times.Select(t => (float)(1 / t)).ToArray()).unsqueeze(0).DetachFromDisposeScope();
    }

    /// <summary>
    /// Updates the accumulators with gradient <paramref name="grad"/> [N] and returns the features [N, F]
    /// and the next state [N, S]. <paramref name="param"/> [N] is read only when the config uses it.
    /// </summary>
    public (Tensor Features, Tensor State) Step(Tensor grad, Tensor param, Tensor state)
    {
        var k = Config.Momenta;
        var g = grad.unsqueeze(1);
        var averages = state.narrow(1, 0, k + 1);
        var corrections = state.narrow(1, k + 1, k + 1);
        var step = state.narrow(1, 2 * k + 2, 1);
        var targets = cat(Enumerable.Repeat(g, k).Append(g.mul(g)).ToArray(), 1);
        var nextAverages = averages.mul(decays).add(targets.mul(oneMinusDecays));
        var nextCorrections = corrections.mul(decays).add(oneMinusDecays);
        var nextStep = step.add(1f);
        var corrected = nextAverages.div(nextCorrections);
        var rms = corrected.narrow(1, k, 1).sqrt().add((float)Config.Epsilon);
        var columns = new List<Tensor> { cat(new[] { g, corrected.narrow(1, 0, k) }, 1).div(rms) };
        if (Config.UseParameter) columns.Add(param.unsqueeze(1));
        if (Config.Times.Count > 0) columns.Add(nextStep.mul(inverseTimes).tanh());
        var features = columns.Count == 1 ? columns[0] : cat(columns.ToArray(), 1);
        return (features, cat(new[] { nextAverages, nextCorrections, nextStep }, 1));
    }

    /// <summary>
    /// The step agreement [N, 1] of step adaptation: <c>tanh((g / rms) (m_prev / rms))</c>, the normalised
    /// gradient <paramref name="features"/>[:, 0] times the previous bias-corrected momentum
    /// <paramref name="momentum"/> of <paramref name="previousState"/> over this step's RMS (from
    /// <paramref name="nextState"/>). Positive when the gradient keeps the direction of the last updates,
    /// negative when it turned: the sign of the hypergradient of the log step size.
    /// </summary>
    /// <remarks>The previous correction is floored at <see cref="AgreementCorrectionFloor"/>: it is 0 at the first step, where the momentum is 0 too.</remarks>
    public Tensor Agreement(Tensor features, Tensor previousState, Tensor nextState, int momentum)
    {
        var k = Config.Momenta;
        var rms = nextState.narrow(1, k, 1).div(nextState.narrow(1, 2 * k + 1, 1)).sqrt().add((float)Config.Epsilon);
        var previous = previousState.narrow(1, momentum, 1).div(previousState.narrow(1, k + 1 + momentum, 1).clamp_min(AgreementCorrectionFloor));
        return features.narrow(1, 0, 1).mul(previous.div(rms)).tanh();
    }

    /// <summary>Floor of the previous bias correction in <see cref="Agreement"/>.</summary>
    public const float AgreementCorrectionFloor = 1e-3f;

    /// <inheritdoc />
    public void Dispose()
    {
        decays.Dispose();
        oneMinusDecays.Dispose();
        inverseTimes.Dispose();
    }
}
