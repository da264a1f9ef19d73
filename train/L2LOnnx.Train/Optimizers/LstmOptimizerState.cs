using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// Per-coordinate recurrent state of an <see cref="LstmOptimizer"/>: for every LSTM layer, the hidden
/// state <c>h</c> and cell state <c>c</c>, each [N, hidden]. The initial state is all zeros, as in
/// ONNX optimizer contract v1.
/// </summary>
/// <remarks>
/// The tensors are [N, hidden] transposed views of feature-major [hidden, N] storage, the layout the
/// network computes in (see <see cref="LstmOptimizer.Step"/>); call <c>contiguous()</c> before handing
/// their memory to code that assumes row-major [N, hidden].
/// </remarks>
public sealed class LstmOptimizerState : IOptimizerNetworkState
{
    /// <summary>The (h, c) pair of every layer, first layer first.</summary>
    public IReadOnlyList<(Tensor H, Tensor C)> Layers { get; }

    /// <summary>Wraps existing tensors; the state takes ownership of them.</summary>
    public LstmOptimizerState(IReadOnlyList<(Tensor H, Tensor C)> layers) => Layers = layers;

    /// <summary>All-zero state for <paramref name="coordinates"/> coordinates.</summary>
    public static LstmOptimizerState Zeros(LstmOptimizerConfig config, long coordinates, Device? device = null)
    {
        Tensor TransposedZeros()
        {
            // The view keeps the storage alive; the base handle is released now rather than by the finalizer.
            using var storage = zeros(config.HiddenSize, coordinates, device: device);
            return storage.t();
        }
        return new(Enumerable.Range(0, config.Layers).Select(_ => (TransposedZeros(), TransposedZeros())).ToArray());
    }

    /// <summary>
    /// A copy cut from the autograd graph, for carrying state across truncated-BPTT unrolls. The copy
    /// is moved out of the current dispose scope so it survives the unroll that produced it.
    /// </summary>
    public LstmOptimizerState DetachToOuterScope() =>
        new(Layers.Select(l => (l.H.detach().MoveToOuterDisposeScope(), l.C.detach().MoveToOuterDisposeScope())).ToArray());

    IOptimizerNetworkState IOptimizerNetworkState.DetachToOuterScope() => DetachToOuterScope();

    /// <inheritdoc />
    public IReadOnlyList<Tensor> Tensors => Layers.SelectMany(l => new[] { l.H, l.C }).ToArray();

    /// <inheritdoc />
    public IOptimizerNetworkState AsLeaves() =>
        new LstmOptimizerState(Layers.Select(l => (l.H.detach().requires_grad_(true), l.C.detach().requires_grad_(true))).ToArray());

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (h, c) in Layers) { h.Dispose(); c.Dispose(); }
    }
}
