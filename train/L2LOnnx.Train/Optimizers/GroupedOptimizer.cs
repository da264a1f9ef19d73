using L2LOnnx.Train.Problems;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// A learned optimizer for a whole optimizee: either one <see cref="ILearnedOptimizerNetwork"/> shared by
/// every coordinate (the paper's quadratics and MNIST), or one network per <see cref="ParameterGroup"/>
/// (the paper's CIFAR-10 setup: one LSTM for the convolutional parameters, one for the fully-connected
/// ones). The networks may be of any family (<see cref="LstmOptimizer"/>, <see cref="MlpOptimizer"/>).
/// </summary>
/// <remarks>
/// The networks are registered as child modules named after their group (<c>all</c> when shared), so
/// <c>parameters()</c> covers all of them and checkpoints name each weight by group. Disposing this
/// module disposes the networks.
/// </remarks>
public sealed class GroupedOptimizer : nn.Module
{
    private readonly ModuleDict<nn.Module> networks;

    private GroupedOptimizer(IEnumerable<(string Group, nn.Module Network)> networks) : base(nameof(GroupedOptimizer))
    {
        this.networks = nn.ModuleDict(networks.ToArray());
        RegisterComponents();
    }

    /// <summary>One network for every coordinate of any optimizee. The network is taken over.</summary>
    public static GroupedOptimizer Shared<TNetwork>(TNetwork network) where TNetwork : nn.Module, ILearnedOptimizerNetwork =>
        new([(ParameterGroup.AllName, network)]);

    /// <summary>One new LSTM per group, created in group order from the global torch RNG.</summary>
    public static GroupedOptimizer PerGroup(IReadOnlyList<ParameterGroup> groups, LstmOptimizerConfig config) =>
        PerGroup(groups, () => new LstmOptimizer(config));

    /// <summary>One new MLP per group, created in group order from the global torch RNG.</summary>
    public static GroupedOptimizer PerGroup(IReadOnlyList<ParameterGroup> groups, MlpOptimizerConfig config) =>
        PerGroup(groups, () => new MlpOptimizer(config));

    private static GroupedOptimizer PerGroup(IReadOnlyList<ParameterGroup> groups, Func<nn.Module> create)
    {
        if (groups.Count == 0) throw new ArgumentException("needs at least one parameter group", nameof(groups));
        return new(groups.Select(g => (g.Name, create())).ToArray());
    }

    /// <summary>True when one network serves all coordinates.</summary>
    public bool IsShared => networks.Count == 1 && networks.ContainsKey(ParameterGroup.AllName);

    /// <summary>The networks by group name (<c>all</c> when shared), in group order.</summary>
    public IReadOnlyList<(string Group, ILearnedOptimizerNetwork Network)> Networks =>
        Enumerable.Range(0, networks.Count).Select(i => networks[i]).Select(n => (n.Item1, (ILearnedOptimizerNetwork)n.Item2)).ToArray();

    /// <summary>Describes the network(s) in one line.</summary>
    public string Describe() => IsShared
        ? Network(ParameterGroup.AllName).Describe()
        : string.Join("; ", Networks.Select(n => $"{n.Group}: {n.Network.Describe()}"));

    private ILearnedOptimizerNetwork Network(string group) => (ILearnedOptimizerNetwork)networks[group];

    /// <summary>
    /// All-zero state for <paramref name="problems"/> problems laid out in <paramref name="groups"/>.
    /// Throws if a group has no network.
    /// </summary>
    public GroupedOptimizerState InitialState(int problems, IReadOnlyList<ParameterGroup> groups)
    {
        ParameterGroup.Validate(groups, groups.Sum(g => g.Length));
        if (IsShared)
            return new GroupedOptimizerState(problems, groups, [Network(ParameterGroup.AllName).InitialState((long)problems * groups.Sum(g => g.Length))]);
        var missing = groups.Where(g => !networks.ContainsKey(g.Name)).Select(g => g.Name).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"no optimizer network for parameter group(s) {string.Join(", ", missing)}; the networks are for {string.Join(", ", networks.keys())}", nameof(groups));
        return new GroupedOptimizerState(problems, groups, groups.Select(g => Network(g.Name).InitialState((long)problems * g.Length)).ToArray());
    }

    /// <summary>
    /// One optimizer step for gradients and parameters [problems, dimension]: returns updates of the
    /// same shape (to be added to the parameters) and the next state.
    /// </summary>
    public (Tensor Update, GroupedOptimizerState State) Step(Tensor grad, Tensor param, GroupedOptimizerState state)
    {
        if (grad.dim() != 2 || grad.shape[0] != state.Problems || grad.shape[1] != state.Dimension)
            throw new ArgumentException($"grad must be [{state.Problems}, {state.Dimension}], got [{string.Join(", ", grad.shape)}]", nameof(grad));
        if (!param.shape.SequenceEqual(grad.shape))
            throw new ArgumentException($"param must have grad's shape [{string.Join(", ", grad.shape)}], got [{string.Join(", ", param.shape)}]", nameof(param));
        if (IsShared)
        {
            var (update, next) = Network(ParameterGroup.AllName).Step(grad.reshape(-1), param.reshape(-1), state.Networks[0]);
            return (update.view(grad.shape), new GroupedOptimizerState(state.Problems, state.Groups, [next]));
        }
        var updates = new Tensor[state.Groups.Count];
        var states = new IOptimizerNetworkState[state.Groups.Count];
        for (var i = 0; i < updates.Length; i++)
        {
            var group = state.Groups[i];
            var (update, next) = Network(group.Name).Step(
                grad.narrow(1, group.Start, group.Length).reshape(-1), param.narrow(1, group.Start, group.Length).reshape(-1), state.Networks[i]);
            updates[i] = update.view(state.Problems, group.Length);
            states[i] = next;
        }
        return (cat(updates, 1), new GroupedOptimizerState(state.Problems, state.Groups, states));
    }
}
