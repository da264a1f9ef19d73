using System.Runtime.InteropServices;
using L2LOnnx.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using OptimizerState = L2LOnnx.Runtime.OptimizerState;

namespace L2LOnnx.Interop.Torch;

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
/// Each parameter tensor has its own recurrent state (the paper's optimizer is coordinatewise, so this
/// is the same as one state over all parameters). A step reads each parameter's gradient and updates
/// the parameter in place, both directly in TorchSharp's CPU memory: no copies, no tensors created.
/// Parameters whose gradient is undefined are skipped and their state does not advance, as in
/// <c>torch.optim</c>.
/// </para>
/// <para>
/// Parameters must be contiguous float32 tensors on the CPU (the runtime steps CPU float32 memory).
/// The learning rate is part of the learned optimizer, so <see cref="torch.optim.Optimizer.ParamGroups"/>
/// is empty and learning-rate schedulers have nothing to schedule.
/// </para>
/// </remarks>
public sealed class LearnedTorchOptimizer : optim.Optimizer
{
    private readonly Slot[] slots;
    private readonly LearnedOptimizer[] owned;

    /// <summary>Drives <paramref name="parameters"/> with the optimizer in the ONNX file at <paramref name="modelPath"/>.</summary>
    /// <exception cref="ContractViolationException">The file is not a contract-v1 optimizer.</exception>
    /// <exception cref="ArgumentException">A parameter is not a contiguous float32 CPU tensor, or appears twice.</exception>
    public LearnedTorchOptimizer(IEnumerable<Parameter> parameters, string modelPath, LearnedOptimizerOptions? options = null)
        : this(parameters, LearnedOptimizer.Load(modelPath, options), owns: true)
    {
    }

    /// <summary>Drives <paramref name="parameters"/> with an already loaded optimizer, which the caller keeps and disposes.</summary>
    /// <exception cref="ArgumentException">A parameter is not a contiguous float32 CPU tensor, or appears twice.</exception>
    public LearnedTorchOptimizer(IEnumerable<Parameter> parameters, LearnedOptimizer optimizer)
        : this(parameters, optimizer, owns: false)
    {
    }

    /// <summary>Drives several parameter groups, each with its own optimizer (which the caller keeps and disposes).</summary>
    /// <exception cref="ArgumentException">A parameter is not a contiguous float32 CPU tensor, or appears twice.</exception>
    public LearnedTorchOptimizer(IEnumerable<LearnedParamGroup> groups) : base(IntPtr.Zero)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _parameter_groups = new List<ParamGroup>();
        owned = Array.Empty<LearnedOptimizer>();
        slots = CreateSlots(groups.ToArray());
    }

    private LearnedTorchOptimizer(IEnumerable<Parameter> parameters, LearnedOptimizer optimizer, bool owns) : base(IntPtr.Zero)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameter_groups = new List<ParamGroup>();
        owned = owns ? new[] { optimizer } : Array.Empty<LearnedOptimizer>();
        try
        {
            slots = CreateSlots(new[] { new LearnedParamGroup(parameters, optimizer) });
        }
        catch
        {
            if (owns) optimizer.Dispose();
            throw;
        }
    }

    /// <summary>Steps taken so far.</summary>
    public long Steps { get; private set; }

    /// <summary>Each parameter's recurrent state, in parameter order (for inspection and checkpoints).</summary>
    public IReadOnlyList<OptimizerState> States => slots.Select(s => s.State).ToArray();

    /// <inheritdoc />
    public override IEnumerable<Parameter> parameters() => slots.Select(s => s.Parameter);

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public override void zero_grad()
    {
        foreach (var slot in slots)
        {
            using var grad = slot.Parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>
    /// One step: every parameter with a gradient moves by the learned optimizer's update and its state advances.
    /// </summary>
    /// <param name="closure">Re-evaluates the model and returns the loss (optional, as in <c>torch.optim</c>).</param>
    /// <returns>The closure's loss, or null without a closure.</returns>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        Tensor? loss = null;
        if (closure is not null)
        {
            using var enabled = enable_grad();
            loss = closure();
        }
        foreach (var slot in slots)
        {
            using var grad = slot.Parameter.grad;
            if (grad is null) continue;
            if (grad.dtype != ScalarType.Float32 || grad.device_type != DeviceType.CPU)
                throw new InvalidOperationException($"the gradient of parameter {slot.Index} is {grad.dtype} on {grad.device_type}; the learned optimizer needs float32 gradients on the CPU");
            if (grad.is_contiguous())
            {
                slot.Optimizer.Step(Floats(slot.Parameter), Floats(grad), slot.State);
            }
            else
            {
                using var contiguous = grad.contiguous();
                slot.Optimizer.Step(Floats(slot.Parameter), Floats(contiguous), slot.State);
            }
        }
        Steps++;
        return loss!;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var slot in slots) slot.State.Dispose();
            foreach (var optimizer in owned) optimizer.Dispose();
        }
        base.Dispose(disposing);
    }

    private static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.bytes);

    private static Slot[] CreateSlots(LearnedParamGroup[] groups)
    {
        var slots = new List<Slot>();
        var seen = new HashSet<IntPtr>();
        try
        {
            foreach (var group in groups)
            {
                foreach (var parameter in group.Parameters)
                {
                    var index = slots.Count;
                    if (parameter.dtype != ScalarType.Float32)
                        throw new ArgumentException($"parameter {index} ({Shape(parameter)}) is {parameter.dtype}; the learned optimizer steps float32 parameters: convert the module with .to(float32)");
                    if (parameter.device_type != DeviceType.CPU)
                        throw new ArgumentException($"parameter {index} ({Shape(parameter)}) is on {parameter.device_type}; the runtime steps parameters in CPU memory: move the module to the CPU");
                    if (!parameter.is_contiguous())
                        throw new ArgumentException($"parameter {index} ({Shape(parameter)}) is not contiguous; the runtime steps parameters in place and needs contiguous memory");
                    if (parameter.numel() > int.MaxValue)
                        throw new ArgumentException($"parameter {index} has {parameter.numel()} elements; one tensor may have at most {int.MaxValue}");
                    if (parameter.numel() == 0) continue;
                    if (!seen.Add(DataPointer(parameter)))
                        throw new ArgumentException($"parameter {index} ({Shape(parameter)}) appears more than once; give each parameter to one group only");
                    slots.Add(new Slot(index, parameter, group.Optimizer, group.Optimizer.CreateState((int)parameter.numel())));
                }
            }
            if (slots.Count == 0)
                throw new ArgumentException("no parameters to optimize: pass module.parameters() of a module that has some");
            return slots.ToArray();
        }
        catch
        {
            foreach (var slot in slots) slot.State.Dispose();
            throw;
        }
    }

    /// <summary>The address of a tensor's first element: two wrappers of one parameter share it.</summary>
    private static unsafe IntPtr DataPointer(Tensor tensor)
    {
        return (IntPtr)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
    }

    private static string Shape(Tensor tensor) => $"[{string.Join(", ", tensor.shape)}]";

    private sealed record Slot(int Index, Parameter Parameter, LearnedOptimizer Optimizer, OptimizerState State);
}
