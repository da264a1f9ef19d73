using L2LOnnx.Train.Problems;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// The recurrent state of a <see cref="GroupedOptimizer"/> over a batch of problems: one
/// <see cref="IOptimizerNetworkState"/> per network, each over its group's coordinates of every problem
/// (problem-major), or a single one over all coordinates when the network is shared.
/// </summary>
public sealed class GroupedOptimizerState : IDisposable
{
    /// <summary>Wraps per-network states; takes ownership of them.</summary>
    public GroupedOptimizerState(int problems, IReadOnlyList<ParameterGroup> groups, IReadOnlyList<IOptimizerNetworkState> networks)
    {
        Problems = problems;
        Groups = groups;
        Networks = networks;
        Dimension = groups.Sum(g => g.Length);
    }

    /// <summary>Number of problems.</summary>
    public int Problems { get; }

    /// <summary>Parameters per problem.</summary>
    public int Dimension { get; }

    /// <summary>The parameter layout of one problem.</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>One state per network: one in all when shared, else one per group in group order.</summary>
    public IReadOnlyList<IOptimizerNetworkState> Networks { get; }

    /// <summary>A copy cut from the autograd graph and moved out of the current dispose scope (see <see cref="IOptimizerNetworkState.DetachToOuterScope"/>).</summary>
    public GroupedOptimizerState DetachToOuterScope() => new(Problems, Groups, Networks.Select(n => n.DetachToOuterScope()).ToArray());

    /// <summary>Every network's <see cref="IOptimizerNetworkState.Tensors"/>, network by network.</summary>
    public IReadOnlyList<Tensor> Tensors => Networks.SelectMany(n => n.Tensors).ToArray();

    /// <summary>A copy made of fresh leaves that require grad (see <see cref="IOptimizerNetworkState.AsLeaves"/>).</summary>
    public GroupedOptimizerState AsLeaves() => new(Problems, Groups, Networks.Select(n => n.AsLeaves()).ToArray());

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var state in Networks) state.Dispose();
    }
}
