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

    /// <inheritdoc />
    public void Dispose()
    {
        decays.Dispose();
        oneMinusDecays.Dispose();
        inverseTimes.Dispose();
    }
}
