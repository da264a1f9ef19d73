using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// Per-coordinate state of an <see cref="MlpOptimizer"/>, [N, S]: the feature accumulators (momenta,
/// second moment, bias corrections, step count; see <see cref="CoordinateFeatureConfig.StateSize"/>),
/// then, with step adaptation, the learned log step (<see cref="MlpOptimizerConfig.StateSize"/>);
/// exported as contract v1's <c>state_features</c>. All zeros at the first step.
/// </summary>
public sealed class MlpOptimizerState : IOptimizerNetworkState
{
    /// <summary>Wraps an existing [N, S] tensor; the state takes ownership of it.</summary>
    public MlpOptimizerState(Tensor accumulators) => Accumulators = accumulators;

    /// <summary>The state columns, [N, S], coordinate-major.</summary>
    public Tensor Accumulators { get; }

    /// <summary>All-zero state for <paramref name="coordinates"/> coordinates.</summary>
    public static MlpOptimizerState Zeros(MlpOptimizerConfig config, long coordinates, Device? device = null) =>
        new(zeros(coordinates, config.StateSize, device: device));

    /// <inheritdoc />
    public IOptimizerNetworkState DetachToOuterScope() => new MlpOptimizerState(Accumulators.detach().MoveToOuterDisposeScope());

    /// <inheritdoc />
    public IReadOnlyList<Tensor> Tensors => [Accumulators];

    /// <inheritdoc />
    public IOptimizerNetworkState AsLeaves() => new MlpOptimizerState(Accumulators.detach().requires_grad_(true));

    /// <inheritdoc />
    public void Dispose() => Accumulators.Dispose();
}
