using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// Per-coordinate state of an <see cref="MlpOptimizer"/>: the feature accumulators [N, S] (momenta,
/// second moment, bias corrections, step count; see <see cref="CoordinateFeatureConfig.StateSize"/>),
/// exported as contract v1's <c>state_features</c>. All zeros at the first step.
/// </summary>
public sealed class MlpOptimizerState : IOptimizerNetworkState
{
    /// <summary>Wraps an existing [N, S] tensor; the state takes ownership of it.</summary>
    public MlpOptimizerState(Tensor accumulators) => Accumulators = accumulators;

    /// <summary>The accumulators, [N, S], coordinate-major.</summary>
    public Tensor Accumulators { get; }

    /// <summary>All-zero state for <paramref name="coordinates"/> coordinates.</summary>
    public static MlpOptimizerState Zeros(CoordinateFeatureConfig config, long coordinates, Device? device = null) =>
        new(zeros(coordinates, config.StateSize, device: device));

    /// <inheritdoc />
    public IOptimizerNetworkState DetachToOuterScope() => new MlpOptimizerState(Accumulators.detach().MoveToOuterDisposeScope());

    /// <inheritdoc />
    public void Dispose() => Accumulators.Dispose();
}
