using System.Numerics;
using System.Security.Cryptography;
using L2LOnnx.Runtime.Engines;
using L2LOnnx.Runtime.Engines.Fused;

namespace L2LOnnx.Runtime;

/// <summary>
/// A frozen learned optimizer loaded from an ONNX file that obeys contract v1 (docs/contract-v1.md).
/// It computes updates from gradients; all recurrent state lives in <see cref="OptimizerState"/>
/// objects owned by the caller (optax's <c>init</c>/<c>update</c>, torch.optim's <c>step</c>).
/// </summary>
/// <remarks>
/// <para>
/// Thread-safety: one <see cref="LearnedOptimizer"/> may step several states from several threads at
/// once; a single state must be used by one thread at a time. With the fused engine, concurrent steps
/// share the optimizer's helper threads: a step that finds them busy runs on its calling thread alone.
/// </para>
/// <para>
/// Every method that takes caller buffers checks them completely before changing anything: on an
/// exception, parameters, updates and state are exactly as they were.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var optimizer = LearnedOptimizer.Load("models/quadratic.onnx");
/// using var state = optimizer.CreateState(parameters.Length);
/// for (var step = 0; step &lt; 100; step++)
/// {
///     ComputeGradient(parameters, gradients);
///     optimizer.Step(parameters, gradients, state);   // parameters += update
/// }
/// </code>
/// </example>
public sealed class LearnedOptimizer : IDisposable
{
    private readonly IStepEngine engine;
    private readonly LearnedOptimizerOptions options;

    /// <summary>Calls in flight: Dispose waits for them to finish before freeing the engine.</summary>
    private int active;
    private int disposed;

    private LearnedOptimizer(IStepEngine engine, OptimizerEngine kind, string description, string reason,
        OptimizerContract contract, OptimizerModelInfo model, string fingerprint, LearnedOptimizerOptions options)
    {
        this.engine = engine;
        this.options = options;
        Engine = kind;
        EngineDescription = description;
        EngineReason = reason;
        Contract = contract;
        Model = model;
        Fingerprint = fingerprint;
    }

    /// <summary>The model's interface: states and their widths, whether it reads parameters, metadata.</summary>
    public OptimizerContract Contract { get; }

    /// <summary>What the file contains: opset, operator types, parameter count.</summary>
    public OptimizerModelInfo Model { get; }

    /// <summary>SHA-256 of the model file (hex), identifying the model in checkpoints.</summary>
    public string Fingerprint { get; }

    /// <summary>The engine that computes the steps: <see cref="OptimizerEngine.OnnxRuntime"/> or <see cref="OptimizerEngine.Fused"/>.</summary>
    public OptimizerEngine Engine { get; }

    /// <summary>What runs, e.g. <c>fused CPU engine: LSTM 2x20, ...; AVX-512, 32 coordinates per block, 2 threads</c>.</summary>
    public string EngineDescription { get; }

    /// <summary>Why this engine was chosen, e.g. the self-check's result, or why the fused engine declined the model.</summary>
    public string EngineReason { get; }

    /// <summary>Loads a model file.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="ContractViolationException">The file is not a contract-v1 optimizer; the message says why.</exception>
    /// <exception cref="NotSupportedException">The requested engine or execution provider is not available; the message says what is missing.</exception>
    public static LearnedOptimizer Load(string path, LearnedOptimizerOptions? options = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"no optimizer model at '{Path.GetFullPath(path)}': pass the path of a contract-v1 .onnx file", path);
        return Load(File.ReadAllBytes(path), options);
    }

    /// <summary>Loads a model from a stream (read to its end, not closed).</summary>
    /// <inheritdoc cref="Load(string, LearnedOptimizerOptions?)" path="/exception"/>
    public static LearnedOptimizer Load(Stream stream, LearnedOptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Load(copy.ToArray(), options);
    }

    /// <summary>
    /// Loads a model from its bytes. The file is checked against contract v1 by the runtime's own reader
    /// before ONNX Runtime sees it; the bytes are not kept.
    /// </summary>
    /// <inheritdoc cref="Load(string, LearnedOptimizerOptions?)" path="/exception"/>
    public static LearnedOptimizer Load(byte[] model, LearnedOptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new LearnedOptimizerOptions();
        options.Validate();
        var (onnx, contract) = ModelPrecheck.Check(model);
        var info = OptimizerModelInfo.From(onnx);
        var fingerprint = Convert.ToHexString(SHA256.HashData(model)).ToLowerInvariant();

        var ort = new OrtEngine(model, options);
        try
        {
            var (engine, kind, description, reason) = ChooseEngine(onnx, contract, fingerprint, ort, options);
            options.Log?.Invoke($"L2LOnnx runtime: {description} ({reason})");
            return new LearnedOptimizer(engine, kind, description, reason, contract, info, fingerprint, options);
        }
        catch
        {
            ort.Dispose();
            throw;
        }
    }

    private static (IStepEngine, OptimizerEngine, string, string) ChooseEngine(
        Onnx.OnnxModel onnx, OptimizerContract contract, string fingerprint, OrtEngine ort, LearnedOptimizerOptions options)
    {
        if (options.Engine == OptimizerEngine.OnnxRuntime)
            return (ort, OptimizerEngine.OnnxRuntime, ort.Description, "ONNX Runtime was requested");
        if (options.ExecutionProvider == ExecutionProvider.Cuda)
            return (ort, OptimizerEngine.OnnxRuntime, ort.Description, "the CUDA execution provider runs through ONNX Runtime; the fused engine is CPU-only");

        // The hand-tuned LSTM kernel first (faster where it applies), then the general program compiler.
        string declined;
        var recognised = LstmGraphRecognizer.TryRecognize(onnx, contract, out var notLstm);
        if (recognised is not null)
        {
            var threshold = recognised.Preprocessing?.Threshold ?? (float)Math.Exp(-10);
            if (TrySelfCheck(() => FusedKernel.ForLstm(recognised), threshold, out var fused, out declined))
            {
                ort.Dispose();
                return (fused, OptimizerEngine.Fused, fused.Description, $"recognised as the LSTM optimizer family; {declined}");
            }
        }
        else
        {
            var program = FusedProgramCompiler.TryCompile(onnx, contract, out var notCompiled);
            if (program is null)
            {
                declined = $"the fused engine does not run this graph: {notCompiled} (nor is it the LSTM optimizer pattern: {notLstm})";
            }
            else if (TrySelfCheck(() => FusedKernel.ForProgram(program), (float)Math.Exp(-10), out var fused, out declined))
            {
                ort.Dispose();
                return (fused, OptimizerEngine.Fused, fused.Description, $"compiled into a fused program; {declined}");
            }
        }

        if (options.Engine == OptimizerEngine.Fused) throw new NotSupportedException($"the fused engine was requested but cannot run this model: {declined}");
        return (ort, OptimizerEngine.OnnxRuntime, ort.Description, declined + "; using ONNX Runtime");

        // Runs the candidate next to ONNX Runtime on the probe batch; keeps it only if they agree. The
        // check runs with float32 state: bfloat16 storage changes the state by design, not the arithmetic.
        bool TrySelfCheck(Func<FusedKernel> kernel, float threshold, out FusedEngine engine, out string verdict)
        {
            engine = new FusedEngine(kernel(), options.EffectiveThreads, inPlace: options.SkipOutputCheck);
            var difference = EngineSelfCheck.Compare(engine, ort, contract, fingerprint, 3 * engine.BlockWidth + 7, threshold);
            if (difference <= EngineSelfCheck.Tolerance)
            {
                verdict = $"agrees with ONNX Runtime on a probe batch to {difference:0.0e0} (tolerance {EngineSelfCheck.Tolerance:0e0}, float32 state)";
                if (options.StatePrecision == StatePrecision.BFloat16)
                {
                    engine.Dispose();
                    engine = new FusedEngine(kernel(), options.EffectiveThreads, Math.Max(1, contract.StateWidth), inPlace: options.SkipOutputCheck);
                }
                return true;
            }
            engine.Dispose();
            verdict = $"the fused engine differs from ONNX Runtime by {difference:0.00e0} on the probe batch (tolerance {EngineSelfCheck.Tolerance:0e0})";
            return false;
        }
    }

    /// <summary>Creates the initial (all-zero) state for a parameter vector of <paramref name="length"/> coordinates.</summary>
    /// <exception cref="ObjectDisposedException">The optimizer was disposed.</exception>
    public OptimizerState CreateState(int length)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return new OptimizerState(Contract, new[] { new ParameterSegment("", 0, length) }, Fingerprint, engine.Layout);
    }

    /// <summary>
    /// Creates the initial state for a group of named tensors of different lengths (e.g. every weight
    /// and bias of a network), stepped together as one batch by the group overloads of
    /// <see cref="Step(ReadOnlySpan{float[]}, ReadOnlySpan{float[]}, OptimizerState)"/>.
    /// </summary>
    /// <param name="tensors">Name and element count of each tensor, in the order the steps will pass them.</param>
    /// <exception cref="ObjectDisposedException">The optimizer was disposed.</exception>
    public OptimizerState CreateState(params ReadOnlySpan<(string Name, int Length)> tensors)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (tensors.IsEmpty) throw new ArgumentException("a group needs at least one tensor", nameof(tensors));
        var segments = new ParameterSegment[tensors.Length];
        long offset = 0;
        for (var i = 0; i < tensors.Length; i++)
        {
            var (name, length) = tensors[i];
            ArgumentNullException.ThrowIfNull(name, nameof(tensors));
            if (length < 1) throw new ArgumentOutOfRangeException(nameof(tensors), length, $"tensor '{name}' has {length} elements; every tensor needs at least one");
            for (var j = 0; j < i; j++)
                if (segments[j].Name == name) throw new ArgumentException($"tensor name '{name}' appears twice", nameof(tensors));
            segments[i] = new ParameterSegment(name, (int)offset, length);
            offset += length;
            if (offset > int.MaxValue) throw new ArgumentException($"the group has more than {int.MaxValue:N0} elements; split it into several states", nameof(tensors));
        }
        return new OptimizerState(Contract, segments, Fingerprint, engine.Layout);
    }

    /// <summary>
    /// One optimizer step: computes the update from <paramref name="gradients"/> and the state, adds it
    /// to <paramref name="parameters"/> in place, and advances the state.
    /// </summary>
    /// <exception cref="ArgumentException">A length differs from the state's N, the state belongs to
    /// another model, or a gradient is not finite (under <see cref="NonFiniteGradientPolicy.Throw"/>);
    /// nothing was changed.</exception>
    /// <exception cref="ContractViolationException">The model misbehaved at run time: ONNX Runtime failed
    /// (an output of another shape than declared, a step that needs more memory than there is) or the
    /// update or next state was not finite (checked on either engine unless
    /// <see cref="LearnedOptimizerOptions.SkipOutputCheck"/>); parameters and state are unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The optimizer or the state was disposed.</exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, OptimizerState state)
    {
        Enter();
        try
        {
            Prepare(state);
            RequireLength(parameters.Length, state, nameof(parameters));
            var hasNonFinite = Gather(gradients, parameters, state);
            Run(state, hasNonFinite);
            AddInPlace(parameters, state.Update.Span[..state.Length]);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// One optimizer step for a state created for a group of tensors: every tensor's update is computed
    /// in one batch and added to it in place.
    /// </summary>
    /// <param name="parameters">One array per tensor, in the state's <see cref="OptimizerState.Segments"/> order.</param>
    /// <param name="gradients">One array per tensor, same order and lengths.</param>
    /// <param name="state">The group's state.</param>
    /// <exception cref="ArgumentException">As for the single-vector overload; nothing was changed.</exception>
    /// <exception cref="ContractViolationException">As for the single-vector overload.</exception>
    /// <exception cref="ObjectDisposedException">The optimizer or the state was disposed.</exception>
    public void Step(ReadOnlySpan<float[]> parameters, ReadOnlySpan<float[]> gradients, OptimizerState state)
    {
        Enter();
        try
        {
            Prepare(state);
            RequireGroup(parameters, state, nameof(parameters));
            var hasNonFinite = Gather(gradients, parameters, state);
            Run(state, hasNonFinite);
            var update = state.Update.Span;
            for (var t = 0; t < parameters.Length; t++)
            {
                var segment = state.Segments[t];
                AddInPlace(parameters[t], update.Slice(segment.Offset, segment.Length));
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Computes the update without applying it, and advances the state. <paramref name="parameters"/> is
    /// needed only when the model declares the <c>param</c> input (<see cref="OptimizerContract.HasParamInput"/>).
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Step(Span{float}, ReadOnlySpan{float}, OptimizerState)"/>; nothing was changed.</exception>
    /// <exception cref="ContractViolationException">As for <see cref="Step(Span{float}, ReadOnlySpan{float}, OptimizerState)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The optimizer or the state was disposed.</exception>
    public void ComputeUpdate(ReadOnlySpan<float> gradients, OptimizerState state, Span<float> update, ReadOnlySpan<float> parameters = default)
    {
        Enter();
        try
        {
            Prepare(state);
            RequireLength(update.Length, state, nameof(update));
            var hasNonFinite = Gather(gradients, parameters, state);
            Run(state, hasNonFinite);
            state.Update.Span[..state.Length].CopyTo(update);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Computes every tensor's update of a group without applying it, and advances the state.
    /// </summary>
    /// <param name="gradients">One array per tensor, in the state's <see cref="OptimizerState.Segments"/> order.</param>
    /// <param name="state">The group's state.</param>
    /// <param name="updates">Receives the updates, one array per tensor.</param>
    /// <param name="parameters">The tensors' values, needed only when the model declares the <c>param</c> input.</param>
    /// <exception cref="ArgumentException">As for the single-vector overload; nothing was changed.</exception>
    /// <exception cref="ContractViolationException">As for the single-vector overload.</exception>
    /// <exception cref="ObjectDisposedException">The optimizer or the state was disposed.</exception>
    public void ComputeUpdate(ReadOnlySpan<float[]> gradients, OptimizerState state, ReadOnlySpan<float[]> updates, ReadOnlySpan<float[]> parameters = default)
    {
        Enter();
        try
        {
            Prepare(state);
            RequireGroup(updates, state, nameof(updates));
            var hasNonFinite = Gather(gradients, parameters, state);
            Run(state, hasNonFinite);
            var update = state.Update.Span;
            for (var t = 0; t < updates.Length; t++)
            {
                var segment = state.Segments[t];
                update.Slice(segment.Offset, segment.Length).CopyTo(updates[t]);
            }
        }
        finally
        {
            Exit();
        }
    }

    private void Prepare(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.ThrowIfDisposed();
        if (state.ModelFingerprint != Fingerprint)
            throw new ArgumentException("this state was created by a different optimizer model; create it with this optimizer's CreateState", nameof(state));
        state.EnsureLayout(engine.Layout);
    }

    /// <summary>Validates gradients (and parameters when the model reads them) and copies them into the state's buffers.</summary>
    private bool Gather(ReadOnlySpan<float> gradients, ReadOnlySpan<float> parameters, OptimizerState state)
    {
        RequireLength(gradients.Length, state, nameof(gradients));
        if (Contract.HasParamInput && parameters.Length != state.Length)
            throw new ArgumentException($"the model reads parameter values ('param' input): pass all {state.Length} of them (got {parameters.Length})", nameof(parameters));
        var bad = OutputCheck.IndexOfNonFinite(gradients);
        if (bad >= 0 && options.NonFiniteGradients == NonFiniteGradientPolicy.Throw)
            throw NonFinite($"gradient[{bad}]", gradients[bad]);
        gradients.CopyTo(state.Gradient.Span);
        if (Contract.HasParamInput) parameters.CopyTo(state.Parameters!.Span);
        return bad >= 0;
    }

    private bool Gather(ReadOnlySpan<float[]> gradients, ReadOnlySpan<float[]> parameters, OptimizerState state)
    {
        RequireGroup(gradients, state, nameof(gradients));
        if (Contract.HasParamInput) RequireGroup(parameters, state, nameof(parameters));
        var hasNonFinite = false;
        for (var t = 0; t < gradients.Length; t++)
        {
            var bad = OutputCheck.IndexOfNonFinite(gradients[t]);
            if (bad < 0) continue;
            if (options.NonFiniteGradients == NonFiniteGradientPolicy.Throw)
                throw NonFinite($"gradient of tensor '{state.Segments[t].Name}' (#{t}) at [{bad}]", gradients[t][bad]);
            hasNonFinite = true;
        }
        var grad = state.Gradient.Span;
        for (var t = 0; t < gradients.Length; t++)
        {
            var segment = state.Segments[t];
            gradients[t].CopyTo(grad.Slice(segment.Offset, segment.Length));
            if (Contract.HasParamInput) parameters[t].CopyTo(state.Parameters!.Span.Slice(segment.Offset, segment.Length));
        }
        return hasNonFinite;
    }

    /// <summary>
    /// Steps the state, refusing a step whose update or next state is not finite before any of it is
    /// applied: both engines double-buffer the state when they check, so refusing is not swapping and
    /// leaves the state exactly as it was (the update is only added to the parameters afterwards).
    /// </summary>
    private void Run(OptimizerState state, bool hasNonFinite)
    {
        if (!engine.Step(state, hasNonFinite, checkOutputs: !options.SkipOutputCheck))
        {
            throw new ContractViolationException(
                $"the model computed a non-finite value ({OutputCheck.FindInOutputs(state) ?? "in the update or the next state"}) from finite inputs: " +
                "the step was refused and parameters and state are unchanged. Set LearnedOptimizerOptions.SkipOutputCheck to pass such values through.");
        }
        state.Steps++;
    }

    private void Enter()
    {
        Interlocked.Increment(ref active);
        if (Volatile.Read(ref disposed) != 0)
        {
            Interlocked.Decrement(ref active);
            ObjectDisposedException.ThrowIf(true, this);
        }
    }

    private void Exit() => Interlocked.Decrement(ref active);

    private static ArgumentException NonFinite(string where, float value) => new(
        $"{where} is {value}: the step was refused and parameters and state are unchanged " +
        "(fix the gradient, or set NonFiniteGradients = SkipCoordinates to step the other coordinates)", "gradients");

    private static void AddInPlace(Span<float> target, ReadOnlySpan<float> delta)
    {
        var i = 0;
        for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
            (new Vector<float>(target.Slice(i)) + new Vector<float>(delta.Slice(i))).CopyTo(target.Slice(i));
        for (; i < target.Length; i++) target[i] += delta[i];
    }

    private static void RequireLength(int length, OptimizerState state, string name)
    {
        if (length != state.Length)
            throw new ArgumentException($"{name} has {length} entries but the state was created for {state.Length}; lengths must match exactly", name);
    }

    private static void RequireGroup(ReadOnlySpan<float[]> tensors, OptimizerState state, string name)
    {
        if (tensors.Length != state.Segments.Count)
            throw new ArgumentException($"{name} has {tensors.Length} tensors but the state was created for {state.Segments.Count}", name);
        for (var t = 0; t < tensors.Length; t++)
        {
            var segment = state.Segments[t];
            if (tensors[t] is null) throw new ArgumentNullException(name, $"{name}[{t}] ('{segment.Name}') is null");
            if (tensors[t].Length != segment.Length)
                throw new ArgumentException($"{name}[{t}] ('{segment.Name}') has {tensors[t].Length} entries but the state expects {segment.Length}", name);
        }
    }

    /// <summary>
    /// Frees the ONNX Runtime session or the fused engine's native weights and helper threads. States
    /// created by this optimizer stay valid (dispose them separately) and can be stepped by another
    /// optimizer of the same model. Safe to call while other threads step: it waits for the steps in
    /// flight to finish, and every later call throws <see cref="ObjectDisposedException"/>. Calling it
    /// again does nothing.
    /// </summary>
    public void Dispose()
    {
        // Interlocked.Exchange and Enter's Increment are full fences, so either a step sees the flag and
        // backs out, or Dispose sees the step in flight and waits for it: never both miss each other.
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        var wait = new SpinWait();
        while (Volatile.Read(ref active) != 0) wait.SpinOnce(sleep1Threshold: 10);
        engine.Dispose();
    }
}
