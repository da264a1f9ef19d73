using TorchSharp.Modules;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// A coordinatewise learned optimizer network that meta-training can train and an exporter can write
/// under contract v1: one small network shared by every coordinate, with a per-coordinate state that
/// starts at zero. Implemented by <see cref="LstmOptimizer"/> (the paper's LSTM) and
/// <see cref="MlpOptimizer"/> (a cheap MLP on Adam-like features); implementations are
/// <see cref="nn.Module"/>s, so their weights are <c>parameters()</c> and checkpoints name them.
/// </summary>
public interface ILearnedOptimizerNetwork : IDisposable
{
    /// <summary>
    /// A one-line description of the network's shape and settings. Checkpoints record it in their
    /// fingerprint, so a run resumes only with the network it was made with.
    /// </summary>
    string Describe();

    /// <summary>The trainable weights (the module's <c>parameters()</c>).</summary>
    IEnumerable<Parameter> parameters(bool recurse = true);

    /// <summary>The all-zero state for <paramref name="coordinates"/> coordinates (contract v1's first step).</summary>
    IOptimizerNetworkState InitialState(long coordinates);

    /// <summary>
    /// One optimizer step for raw gradients [N] at parameter values <paramref name="param"/> [N]:
    /// returns updates [N] (added to the parameters) and the next state. Networks that do not use the
    /// parameter values ignore <paramref name="param"/>.
    /// </summary>
    (Tensor Update, IOptimizerNetworkState State) Step(Tensor grad, Tensor param, IOptimizerNetworkState state);
}

/// <summary>The per-coordinate state of an <see cref="ILearnedOptimizerNetwork"/>; it owns its tensors.</summary>
public interface IOptimizerNetworkState : IDisposable
{
    /// <summary>
    /// A copy cut from the autograd graph and moved out of the current dispose scope, for carrying the
    /// state across truncated-BPTT unrolls.
    /// </summary>
    IOptimizerNetworkState DetachToOuterScope();

    /// <summary>The state's tensors in a fixed order (what <see cref="AsLeaves"/> makes leaves of).</summary>
    IReadOnlyList<Tensor> Tensors { get; }

    /// <summary>
    /// A copy whose tensors are fresh autograd leaves that require grad, cut from any graph: the start of a
    /// recomputed segment, whose <c>grad</c> after a backward pass is the adjoint the segment before it
    /// needs (<see cref="MetaTraining.SegmentedUnroll"/>).
    /// </summary>
    IOptimizerNetworkState AsLeaves();
}
