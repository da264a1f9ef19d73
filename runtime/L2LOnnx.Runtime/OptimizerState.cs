namespace L2LOnnx.Runtime;

/// <summary>
/// The recurrent state a learned optimizer carries for one parameter vector of length N: every state
/// tensor of the model's contract, [N, S] each, plus the step count. The caller owns it (create it with
/// <see cref="LearnedOptimizer.CreateState"/>, dispose it when done); the optimizer holds no state of
/// its own, so one optimizer can drive many parameter vectors.
/// </summary>
/// <remarks>
/// Buffers live in native memory and are double-buffered: a step reads the current buffers and writes
/// the other set, then the two swap, so no step copies or allocates state. Not thread-safe: step one
/// state from one thread at a time (different states may be stepped concurrently).
/// </remarks>
public sealed class OptimizerState : IDisposable
{
    private readonly NativeBuffer[] front;
    private readonly NativeBuffer[] back;
    private bool disposed;

    internal OptimizerState(OptimizerContract contract, int length, string modelFingerprint)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Contract = contract;
        Length = length;
        ModelFingerprint = modelFingerprint;
        front = contract.States.Select(s => new NativeBuffer((long)length * s.Width)).ToArray();
        back = contract.States.Select(s => new NativeBuffer((long)length * s.Width)).ToArray();
        Gradient = new NativeBuffer(length);
        Update = new NativeBuffer(length);
        Parameters = contract.HasParamInput ? new NativeBuffer(length) : null;
    }

    /// <summary>N, the number of coordinates this state belongs to.</summary>
    public int Length { get; }

    /// <summary>Steps taken since creation or the last <see cref="Reset"/>.</summary>
    public long Steps { get; internal set; }

    /// <summary>The state tensors this state holds, in the model's order.</summary>
    public IReadOnlyList<StateSpec> Specs => Contract.States;

    /// <summary>Identifies the model this state belongs to, so a checkpoint cannot be loaded into another.</summary>
    public string ModelFingerprint { get; }

    internal OptimizerContract Contract { get; }

    internal NativeBuffer Gradient { get; }

    internal NativeBuffer Update { get; }

    internal NativeBuffer? Parameters { get; }

    /// <summary>Engine-specific resources bound to these buffers (ONNX Runtime bindings), created on first use.</summary>
    internal IDisposable? EngineWorkspace { get; set; }

    /// <summary>0 when <c>front</c> holds the current state, 1 when <c>back</c> does.</summary>
    internal int Parity { get; private set; }

    internal NativeBuffer Current(int index) => Parity == 0 ? front[index] : back[index];

    internal NativeBuffer Next(int index) => Parity == 0 ? back[index] : front[index];

    internal NativeBuffer Buffer(int set, int index) => set == 0 ? front[index] : back[index];

    internal void Swap() => Parity ^= 1;

    /// <summary>The current values of state <paramref name="index"/>, [N * S] row-major.</summary>
    public ReadOnlySpan<float> Read(int index)
    {
        ThrowIfDisposed();
        return Current(index).Span;
    }

    /// <summary>The current values of the state named <paramref name="name"/> (e.g. <c>state_lstm0_h</c>).</summary>
    public ReadOnlySpan<float> Read(string name) => Read(IndexOf(name));

    /// <summary>Overwrites state <paramref name="index"/> (for restoring checkpoints).</summary>
    public void Write(int index, ReadOnlySpan<float> values)
    {
        ThrowIfDisposed();
        var target = Current(index).Span;
        if (values.Length != target.Length)
            throw new ArgumentException($"state '{Specs[index].Name}' holds {target.Length} floats, got {values.Length}", nameof(values));
        values.CopyTo(target);
    }

    /// <summary>Back to the initial state: all zeros, step count 0.</summary>
    public void Reset()
    {
        ThrowIfDisposed();
        for (var i = 0; i < front.Length; i++)
        {
            front[i].Span.Clear();
            back[i].Span.Clear();
        }
        Steps = 0;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < Specs.Count; i++)
            if (Specs[i].Name == name) return i;
        throw new ArgumentException($"the model has no state named '{name}'; it has: {string.Join(", ", Specs.Select(s => s.Name))}", nameof(name));
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        EngineWorkspace?.Dispose();
        foreach (var buffer in front.Concat(back)) buffer.Dispose();
        Gradient.Dispose();
        Update.Dispose();
        Parameters?.Dispose();
    }
}
