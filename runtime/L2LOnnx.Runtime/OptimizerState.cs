namespace L2LOnnx.Runtime;

/// <summary>
/// The recurrent state a learned optimizer carries for one parameter vector of N coordinates (or for
/// a named group of tensors stepped as one vector): every state tensor of the model's contract,
/// [N, S] each, plus the step count. The caller owns it: create it with
/// <see cref="LearnedOptimizer.CreateState(int)"/>, save and restore it with <see cref="Save(string)"/>
/// and <see cref="Load(string)"/>, dispose it when done. The optimizer holds no state of its own, so
/// one optimizer can drive many states.
/// </summary>
/// <remarks>
/// Buffers live in native memory, laid out for the engine that steps the state (row-major for ONNX
/// Runtime, blocked for the fused engine; double-buffered so that a step with a non-finite output can
/// be refused, or updated in place by the fused engine when the output check is off); reads, writes and
/// checkpoints always see row-major [N, S]. Not thread-safe: step, read or save one state from one
/// thread at a time (different states may be stepped concurrently).
/// </remarks>
public sealed unsafe class OptimizerState : IDisposable
{
    private NativeBuffer[] front;
    private NativeBuffer[] back;
    private bool disposed;

    internal OptimizerState(OptimizerContract contract, IReadOnlyList<ParameterSegment> segments, string modelFingerprint, StateLayout layout)
    {
        Contract = contract;
        Segments = segments;
        Length = segments.Count == 0 ? 0 : segments[^1].Offset + segments[^1].Length;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Length);
        ModelFingerprint = modelFingerprint;
        Layout = layout;
        (front, back) = AllocateStates(layout);
        var padded = layout.PaddedLength(Length);
        Gradient = new NativeBuffer(padded);
        Update = new NativeBuffer(padded);
        Parameters = contract.HasParamInput ? new NativeBuffer(padded) : null;
    }

    /// <summary>N, the number of coordinates this state belongs to (the sum over its segments).</summary>
    public int Length { get; }

    /// <summary>
    /// The parameter tensors this state covers, in order: one unnamed segment for a state created for
    /// a plain vector, one per tensor for a group.
    /// </summary>
    public IReadOnlyList<ParameterSegment> Segments { get; }

    /// <summary>Steps taken since creation or the last <see cref="Reset"/> (restored by <see cref="Load(string)"/>).</summary>
    public long Steps { get; internal set; }

    /// <summary>The state tensors this state holds, in the model's order.</summary>
    public IReadOnlyList<StateSpec> Specs => Contract.States;

    /// <summary>SHA-256 of the model file this state belongs to; a checkpoint cannot be loaded into another model's state.</summary>
    public string ModelFingerprint { get; }

    internal OptimizerContract Contract { get; }

    internal StateLayout Layout { get; private set; }

    /// <summary>Gradients of the step being computed, N padded to the layout's blocks.</summary>
    internal NativeBuffer Gradient { get; private set; }

    /// <summary>Updates the engine computed, N padded to the layout's blocks.</summary>
    internal NativeBuffer Update { get; private set; }

    /// <summary>Parameter values, when the model reads them.</summary>
    internal NativeBuffer? Parameters { get; private set; }

    /// <summary>Engine-specific resources bound to these buffers (ONNX Runtime bindings, scratch), created on first use.</summary>
    internal IDisposable? EngineWorkspace { get; set; }

    /// <summary>0 when <c>front</c> holds the current state, 1 when <c>back</c> does.</summary>
    internal int Parity { get; private set; }

    internal NativeBuffer Current(int index) => Parity == 0 ? front[index] : back[index];

    internal NativeBuffer Next(int index) => Parity == 0 ? back[index] : front[index];

    internal NativeBuffer Buffer(int set, int index) => set == 0 ? front[index] : back[index];

    internal void Swap() => Parity ^= 1;

    /// <summary>A copy of the current values of state <paramref name="index"/>, [N * S] row-major.</summary>
    public float[] Read(int index)
    {
        var values = new float[(long)Length * Spec(index).Width];
        CopyOut(index, 0, Length, values);
        return values;
    }

    /// <summary>A copy of the current values of the state named <paramref name="name"/> (e.g. <c>state_lstm0_h</c>).</summary>
    public float[] Read(string name) => Read(IndexOf(name));

    /// <summary>Overwrites state <paramref name="index"/> with [N * S] row-major <paramref name="values"/>.</summary>
    public void Write(int index, ReadOnlySpan<float> values)
    {
        var width = Spec(index).Width;
        if (values.Length != (long)Length * width)
            throw new ArgumentException($"state '{Specs[index].Name}' holds {(long)Length * width} floats ([{Length}, {width}]), got {values.Length}", nameof(values));
        CopyIn(index, 0, Length, values);
    }

    /// <summary>Overwrites the state named <paramref name="name"/>.</summary>
    public void Write(string name, ReadOnlySpan<float> values) => Write(IndexOf(name), values);

    /// <summary>Back to the initial state: all zeros, step count 0.</summary>
    public void Reset()
    {
        ThrowIfDisposed();
        foreach (var buffer in front.Concat(back)) buffer.Clear();
        Steps = 0;
    }

    /// <summary>
    /// Saves the state as a versioned binary checkpoint with a SHA-256 checksum, atomically: an existing
    /// file is replaced only by a complete new one. <see cref="Load(string)"/> restores it exactly.
    /// </summary>
    public void Save(string path)
    {
        ThrowIfDisposed();
        AtomicFile.Write(path, stream => StateCheckpoint.Write(this, stream));
    }

    /// <summary>Writes the checkpoint to <paramref name="stream"/> (not closed).</summary>
    public void Save(Stream stream)
    {
        ThrowIfDisposed();
        StateCheckpoint.Write(this, stream);
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="Save(string)"/>: values and step count.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is corrupt or truncated, or
    /// belongs to another model, another N or another set of tensors; the state is left unchanged.</exception>
    public void Load(string path)
    {
        ThrowIfDisposed();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        StateCheckpoint.Read(this, stream, path);
    }

    /// <summary>Restores a checkpoint from <paramref name="stream"/> (read to its end, not closed).</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Load(string)"/>; the state is left unchanged.</exception>
    public void Load(Stream stream)
    {
        ThrowIfDisposed();
        StateCheckpoint.Read(this, stream, "stream");
    }

    /// <summary>
    /// Copies coordinates [first, first + count) of state <paramref name="index"/> into row-major
    /// <paramref name="destination"/>; from the back buffers when <paramref name="next"/> (a refused
    /// next state of a double-buffered state).
    /// </summary>
    internal void CopyOut(int index, long first, int count, Span<float> destination, bool next = false)
    {
        ThrowIfDisposed();
        var width = Specs[index].Width;
        var source = next ? Next(index) : Current(index);
        if (Layout.BlockWidth == 0)
        {
            source.Slice(first * width, count * width).CopyTo(destination);
            return;
        }
        var all = source.Data;
        var halves = (ushort*)all;
        for (var i = 0; i < count; i++)
        {
            var start = Layout.IndexOf(first + i, 0, width);
            var row = destination.Slice(i * width, width);
            for (var j = 0; j < width; j++)
            {
                var at = start + (long)j * Layout.BlockWidth;
                row[j] = Layout.BFloat16 ? StateLayout.FromBFloat16(halves[at]) : all[at];
            }
        }
    }

    /// <summary>Copies row-major <paramref name="source"/> into coordinates [first, first + count) of state <paramref name="index"/>.</summary>
    internal void CopyIn(int index, long first, int count, ReadOnlySpan<float> source)
    {
        ThrowIfDisposed();
        var width = Specs[index].Width;
        var target = Current(index);
        if (Layout.BlockWidth == 0)
        {
            source.Slice(0, count * width).CopyTo(target.Slice(first * width, count * width));
            return;
        }
        var all = target.Data;
        var halves = (ushort*)all;
        for (var i = 0; i < count; i++)
        {
            var start = Layout.IndexOf(first + i, 0, width);
            var row = source.Slice(i * width, width);
            for (var j = 0; j < width; j++)
            {
                var at = start + (long)j * Layout.BlockWidth;
                if (Layout.BFloat16) halves[at] = StateLayout.ToBFloat16(row[j]);
                else all[at] = row[j];
            }
        }
    }

    /// <summary>
    /// Moves the values into <paramref name="layout"/> when an engine with another layout steps this
    /// state (a state may be created by one optimizer and stepped by another of the same model).
    /// </summary>
    internal void EnsureLayout(StateLayout layout)
    {
        if (layout == Layout) return;
        var (newFront, newBack) = AllocateStates(layout);
        var old = (front, back, Layout, Parity);
        var rows = new float[(Specs.Count == 0 ? 1 : Specs.Max(s => s.Width)) * 4096];
        for (var s = 0; s < Specs.Count; s++)
        {
            var width = Specs[s].Width;
            for (long first = 0; first < Length; first += 4096)
            {
                var count = (int)Math.Min(4096, Length - first);
                var span = rows.AsSpan(0, count * width);
                CopyOut(s, first, count, span);
                (front, back, Layout, Parity) = (newFront, newBack, layout, 0);
                CopyIn(s, first, count, span);
                (front, back, Layout, Parity) = old;
            }
        }
        EngineWorkspace?.Dispose();
        EngineWorkspace = null;
        foreach (var buffer in front.Concat(back)) buffer.Dispose();
        (front, back, Layout, Parity) = (newFront, newBack, layout, 0);
        var padded = layout.PaddedLength(Length);
        if (padded != Gradient.Length)
        {
            Gradient.Dispose();
            Update.Dispose();
            Parameters?.Dispose();
            Gradient = new NativeBuffer(padded);
            Update = new NativeBuffer(padded);
            Parameters = Contract.HasParamInput ? new NativeBuffer(padded) : null;
        }
    }

    private (NativeBuffer[] Front, NativeBuffer[] Back) AllocateStates(StateLayout layout)
    {
        var padded = layout.PaddedLength(Length);
        var newFront = Contract.States.Select(s => new NativeBuffer(layout.BufferFloats(padded * s.Width))).ToArray();
        var newBack = layout.DoubleBuffered ? Contract.States.Select(s => new NativeBuffer(layout.BufferFloats(padded * s.Width))).ToArray() : Array.Empty<NativeBuffer>();
        return (newFront, newBack);
    }

    private StateSpec Spec(int index)
    {
        ThrowIfDisposed();
        if ((uint)index >= (uint)Specs.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"the model has {Specs.Count} states (0 to {Specs.Count - 1})");
        return Specs[index];
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
