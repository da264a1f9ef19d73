using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// Per-coordinate recurrent state of an <see cref="LstmOptimizer"/>: for every LSTM layer, the hidden
/// state <c>h</c> and cell state <c>c</c>, each [N, hidden]. The initial state is all zeros, as in
/// ONNX optimizer contract v1.
/// </summary>
public sealed class LstmOptimizerState : IDisposable
{
    /// <summary>The (h, c) pair of every layer, first layer first.</summary>
    public IReadOnlyList<(Tensor H, Tensor C)> Layers { get; }

    /// <summary>Wraps existing tensors; the state takes ownership of them.</summary>
    public LstmOptimizerState(IReadOnlyList<(Tensor H, Tensor C)> layers) => Layers = layers;

    /// <summary>All-zero state for <paramref name="coordinates"/> coordinates.</summary>
    public static LstmOptimizerState Zeros(LstmOptimizerConfig config, long coordinates, Device? device = null) =>
        new(Enumerable.Range(0, config.Layers)
            .Select(_ => (zeros(coordinates, config.HiddenSize, device: device), zeros(coordinates, config.HiddenSize, device: device)))
            .ToArray());

    /// <summary>
    /// A copy cut from the autograd graph, for carrying state across truncated-BPTT unrolls. The copy
    /// is moved out of the current dispose scope so it survives the unroll that produced it.
    /// </summary>
    public LstmOptimizerState DetachToOuterScope() =>
        new(Layers.Select(l => (l.H.detach().MoveToOuterDisposeScope(), l.C.detach().MoveToOuterDisposeScope())).ToArray());

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (h, c) in Layers) { h.Dispose(); c.Dispose(); }
    }
}
