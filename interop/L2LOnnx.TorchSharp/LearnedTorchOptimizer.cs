using System.Numerics;
using System.Runtime.InteropServices;
using L2LOnnx.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using OptimizerState = L2LOnnx.Runtime.OptimizerState;

namespace L2LOnnx.TorchSharp;

/// <summary>
/// A TorchSharp optimizer, used like <c>torch.optim.Adam</c>, that updates a module's parameters with a
/// frozen learned optimizer (a contract-v1 ONNX file) through the L2LOnnx runtime:
/// <code>
/// using var optimizer = new LearnedTorchOptimizer(model.parameters(), "models/mnist-mlp.onnx");
/// optimizer.zero_grad(); loss.backward(); optimizer.step();
/// </code>
/// </summary>
/// <remarks>
/// <para>
/// All parameters of a group are stepped as one vector by one runtime call, with one runtime
/// <see cref="OptimizerState"/> whose segments are the parameter tensors (so the state saves and loads
/// with the runtime's checkpoint format: <see cref="save_state_dict"/>). A step copies the gradients into
/// a buffer allocated once, and adds each update to its parameter in place in TorchSharp's CPU memory:
/// no tensors and no arrays are created per step.
/// </para>
/// <para>
/// A parameter whose gradient is undefined in a step keeps its value, as in <c>torch.optim</c>; because
/// its group is stepped as one vector, its recurrent state still advances, as if its gradient were zero.
/// </para>
/// <para>
/// Parameters must be contiguous float32 tensors on the CPU. The learning rate is part of the learned
/// optimizer, so <see cref="optim.Optimizer.ParamGroups"/> is empty and learning-rate schedulers have
/// nothing to schedule. Next to TorchSharp on a small machine, give ONNX Runtime one intra-op thread
/// (<see cref="LearnedOptimizerOptions.IntraOpThreads"/>) and libtorch few: their thread pools compete.
/// </para>
/// </remarks>
public sealed class LearnedTorchOptimizer : optim.Optimizer
{
    private readonly Group[] groups;
    private readonly LearnedOptimizer? owned;

    /// <summary>Drives <paramref name="parameters"/> with the optimizer in the ONNX file at <paramref name="modelPath"/>.</summary>
    /// <exception cref="ContractViolationException">The file is not a contract-v1 optimizer.</exception>
    /// <exception cref="ArgumentException">A parameter is not a contiguous float32 CPU tensor, or appears twice.</exception>
    public LearnedTorchOptimizer(IEnumerable<Parameter> parameters, string modelPath, LearnedOptimizerOptions? options = null)
        : this(LoadGroup(modelPath, options, optimizer => new LearnedParamGroup(parameters, optimizer)), owns: true)
    {
    }

    /// <summary>
    /// Drives named parameters (<c>module.named_parameters()</c>) with the optimizer in the ONNX file at
    /// <paramref name="modelPath"/>; the names label the tensors in checkpoints.
    /// </summary>
    /// <inheritdoc cref="LearnedTorchOptimizer(IEnumerable{Parameter}, string, LearnedOptimizerOptions?)" path="/exception"/>
    public LearnedTorchOptimizer(IEnumerable<(string Name, Parameter Parameter)> namedParameters, string modelPath, LearnedOptimizerOptions? options = null)
        : this(LoadGroup(modelPath, options, optimizer => new LearnedParamGroup(namedParameters, optimizer)), owns: true)
    {
    }

    /// <summary>Drives <paramref name="parameters"/> with an already loaded optimizer, which the caller keeps and disposes.</summary>
    /// <exception cref="ArgumentException">A parameter is not a contiguous float32 CPU tensor, or appears twice.</exception>
    public LearnedTorchOptimizer(IEnumerable<Parameter> parameters, LearnedOptimizer optimizer)
        : this(new[] { new LearnedParamGroup(parameters, optimizer) }, owns: false)
    {
    }

    /// <summary>Drives several parameter groups, each with its own optimizer (which the caller keeps and disposes).</summary>
    /// <exception cref="ArgumentException">A parameter is not a contiguous float32 CPU tensor, or appears twice.</exception>
    public LearnedTorchOptimizer(IEnumerable<LearnedParamGroup> groups) : this(groups.ToArray(), owns: false)
    {
    }

    private LearnedTorchOptimizer(LearnedParamGroup[] groups, bool owns) : base(IntPtr.Zero)
    {
        _parameter_groups = new List<ParamGroup>();
        owned = owns ? groups[0].Optimizer : null;
        try
        {
            this.groups = CreateGroups(groups);
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
    }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Each group's recurrent state (a runtime state whose segments are the group's parameters), in group order.</summary>
    public IReadOnlyList<OptimizerState> States => groups.Select(g => g.State).ToArray();

    /// <inheritdoc />
    public override IEnumerable<Parameter> parameters() => groups.SelectMany(g => g.Parameters);

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public override void zero_grad()
    {
        foreach (var group in groups)
        {
            foreach (var parameter in group.Parameters)
            {
                using var grad = parameter.grad;
                grad?.zero_();
            }
        }
    }

    /// <summary>
    /// One step: every parameter with a gradient moves by the learned optimizer's update; every group's state advances.
    /// </summary>
    /// <param name="closure">Re-evaluates the model and returns the loss (optional, as in <c>torch.optim</c>).</param>
    /// <returns>The closure's loss, or null without a closure.</returns>
    /// <exception cref="InvalidOperationException">A gradient is not float32 on the CPU.</exception>
    /// <exception cref="ArgumentException">A gradient is not finite (see <see cref="LearnedOptimizerOptions.NonFiniteGradients"/>); nothing was changed.</exception>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        Tensor? loss = null;
        if (closure is not null)
        {
            using var enabled = enable_grad();
            loss = closure();
        }
        foreach (var group in groups) Step(group);
        Steps++;
        return loss!;
    }

    /// <summary>
    /// Saves the optimizer's state in the runtime's checkpoint format (<see cref="OptimizerState.Save(string)"/>),
    /// atomically. With several groups, save each group's state: <c>States[g].Save(path)</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The optimizer has several groups.</exception>
    public void save_state_dict(string location) => SingleState().Save(location);

    /// <summary>
    /// Restores a checkpoint written by <see cref="save_state_dict"/> (or by the runtime for the same model
    /// and tensors). With several groups, load each group's state: <c>States[g].Load(path)</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint belongs to another model or other tensors, or is corrupt; the state is unchanged.</exception>
    /// <exception cref="InvalidOperationException">The optimizer has several groups.</exception>
    public void load_state_dict(string location)
    {
        var state = SingleState();
        state.Load(location);
        Steps = state.Steps;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var group in groups ?? Array.Empty<Group>()) group.State.Dispose();
            owned?.Dispose();
        }
        base.Dispose(disposing);
    }

    private static void Step(Group group)
    {
        var state = group.State;
        var gradients = group.Gradients.AsSpan();
        var hasGradient = group.HasGradient;
        for (var i = 0; i < group.Parameters.Length; i++)
        {
            var segment = state.Segments[i];
            var target = gradients.Slice(segment.Offset, segment.Length);
            using var grad = group.Parameters[i].grad;
            hasGradient[i] = grad is not null;
            if (grad is null)
            {
                target.Clear();
                continue;
            }
            if (grad.dtype != ScalarType.Float32 || grad.device_type != DeviceType.CPU)
                throw new InvalidOperationException($"the gradient of '{segment.Name}' is {grad.dtype} on {grad.device_type}; the learned optimizer needs float32 gradients on the CPU");
            if (grad.is_contiguous())
            {
                Floats(grad).CopyTo(target);
            }
            else
            {
                using var contiguous = grad.contiguous();
                Floats(contiguous).CopyTo(target);
            }
        }
        if (group.Values is { } values)
            for (var i = 0; i < group.Parameters.Length; i++)
                Floats(group.Parameters[i]).CopyTo(values.AsSpan(state.Segments[i].Offset, state.Segments[i].Length));

        group.Optimizer.ComputeUpdate(gradients, state, group.Updates, group.Values);

        for (var i = 0; i < group.Parameters.Length; i++)
        {
            if (!hasGradient[i]) continue;
            var segment = state.Segments[i];
            AddInPlace(Floats(group.Parameters[i]), group.Updates.AsSpan(segment.Offset, segment.Length));
        }
    }

    private OptimizerState SingleState() => groups.Length == 1
        ? groups[0].State
        : throw new InvalidOperationException($"this optimizer has {groups.Length} parameter groups, each with its own state: save or load each with States[g].Save(path) / States[g].Load(path)");

    private static LearnedParamGroup[] LoadGroup(string modelPath, LearnedOptimizerOptions? options, Func<LearnedOptimizer, LearnedParamGroup> group)
    {
        var optimizer = LearnedOptimizer.Load(modelPath, options);
        try
        {
            return new[] { group(optimizer) };
        }
        catch
        {
            optimizer.Dispose();
            throw;
        }
    }

    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);

    private static void AddInPlace(Span<float> target, ReadOnlySpan<float> delta)
    {
        var i = 0;
        for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
            (new Vector<float>(target.Slice(i)) + new Vector<float>(delta.Slice(i))).CopyTo(target.Slice(i));
        for (; i < target.Length; i++) target[i] += delta[i];
    }

    private static Group[] CreateGroups(LearnedParamGroup[] groups)
    {
        if (groups.Length == 0) throw new ArgumentException("no parameter groups given", nameof(groups));
        var created = new List<Group>();
        var seen = new HashSet<IntPtr>();
        try
        {
            foreach (var group in groups)
            {
                var members = new List<(string Name, Parameter Parameter)>();
                foreach (var (name, parameter) in group.Parameters)
                {
                    if (parameter.dtype != ScalarType.Float32)
                        throw new ArgumentException($"parameter '{name}' ({Shape(parameter)}) is {parameter.dtype}; the learned optimizer steps float32 parameters: convert the module with .to(float32)");
                    if (parameter.device_type != DeviceType.CPU)
                        throw new ArgumentException($"parameter '{name}' ({Shape(parameter)}) is on {parameter.device_type}; the runtime steps parameters in CPU memory: move the module to the CPU");
                    if (!parameter.is_contiguous())
                        throw new ArgumentException($"parameter '{name}' ({Shape(parameter)}) is not contiguous; the runtime steps parameters in place and needs contiguous memory");
                    if (parameter.numel() == 0) continue;
                    if (!seen.Add(DataPointer(parameter)))
                        throw new ArgumentException($"parameter '{name}' ({Shape(parameter)}) appears more than once; give each parameter to one group only");
                    members.Add((name, parameter));
                }
                if (members.Count == 0)
                    throw new ArgumentException("a parameter group has no parameters: pass module.parameters() of a module that has some");
                if (members.Sum(m => m.Parameter.numel()) > int.MaxValue)
                    throw new ArgumentException($"a parameter group has more than {int.MaxValue:N0} elements; split it into several groups");
                var state = group.Optimizer.CreateState(members.Select(m => (m.Name, (int)m.Parameter.numel())).ToArray());
                created.Add(new Group(group.Optimizer, members.Select(m => m.Parameter).ToArray(), state));
            }
            return created.ToArray();
        }
        catch
        {
            foreach (var group in created) group.State.Dispose();
            throw;
        }
    }

    /// <summary>The address of a tensor's first element: two wrappers of one parameter share it.</summary>
    private static unsafe IntPtr DataPointer(Tensor tensor) =>
        (IntPtr)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));

    private static string Shape(Tensor tensor) => $"[{string.Join(", ", tensor.shape)}]";

    /// <summary>One group's parameters, state and step buffers (allocated once, reused every step).</summary>
    private sealed class Group(LearnedOptimizer optimizer, Parameter[] parameters, OptimizerState state)
    {
        public LearnedOptimizer Optimizer { get; } = optimizer;
        public Parameter[] Parameters { get; } = parameters;
        public OptimizerState State { get; } = state;
        public float[] Gradients { get; } = new float[state.Length];
        public float[] Updates { get; } = new float[state.Length];
        public float[]? Values { get; } = optimizer.Contract.HasParamInput ? new float[state.Length] : null;
        public bool[] HasGradient { get; } = new bool[parameters.Length];
    }
}
