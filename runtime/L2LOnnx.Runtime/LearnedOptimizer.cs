using System.Numerics;
using System.Security.Cryptography;
using L2LOnnx.Runtime.Engines;

namespace L2LOnnx.Runtime;

/// <summary>
/// A frozen learned optimizer loaded from an ONNX file that obeys contract v1 (docs/contract-v1.md).
/// It computes updates from gradients; all recurrent state lives in <see cref="OptimizerState"/>
/// objects owned by the caller.
/// </summary>
/// <remarks>
/// Thread-safety: one <see cref="LearnedOptimizer"/> may step several states from several threads at
/// once (ONNX Runtime sessions are thread-safe and each state has its own bindings); a single state
/// must be stepped by one thread at a time.
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
    private readonly OrtEngine engine;
    private readonly LearnedOptimizerOptions options;

    private LearnedOptimizer(OrtEngine engine, OptimizerContract contract, string fingerprint, LearnedOptimizerOptions options)
    {
        this.engine = engine;
        this.options = options;
        Contract = contract;
        Fingerprint = fingerprint;
    }

    /// <summary>The model's interface: states, whether it reads parameters, metadata.</summary>
    public OptimizerContract Contract { get; }

    /// <summary>SHA-256 of the model file (hex), identifying the model in checkpoints.</summary>
    public string Fingerprint { get; }

    /// <summary>Loads a model file.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="ContractViolationException">The file is not a contract-v1 optimizer; the message says why.</exception>
    public static LearnedOptimizer Load(string path, LearnedOptimizerOptions? options = null)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"no optimizer model at '{Path.GetFullPath(path)}': pass the path of a contract-v1 .onnx file (see models/)", path);
        return Load(File.ReadAllBytes(path), options);
    }

    /// <summary>Loads a model from a stream (read to its end).</summary>
    public static LearnedOptimizer Load(Stream stream, LearnedOptimizerOptions? options = null)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Load(copy.ToArray(), options);
    }

    /// <summary>Loads a model from its bytes. The bytes are not kept.</summary>
    public static LearnedOptimizer Load(byte[] model, LearnedOptimizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new LearnedOptimizerOptions();
        if (model.Length == 0) throw new ContractViolationException("the model is empty (0 bytes): expected an ONNX file");
        var engine = new OrtEngine(model, options);
        try
        {
            var contract = OptimizerContract.Check(engine.Inputs, engine.Outputs, engine.Metadata);
            var fingerprint = Convert.ToHexString(SHA256.HashData(model)).ToLowerInvariant();
            return new LearnedOptimizer(engine, contract, fingerprint, options);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>Creates the initial (all-zero) state for a parameter vector of <paramref name="length"/> coordinates.</summary>
    public OptimizerState CreateState(int length) => new(Contract, length, Fingerprint);

    /// <summary>
    /// One optimizer step: computes the update from <paramref name="gradients"/> and the state, adds it
    /// to <paramref name="parameters"/> in place, and advances the state.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ from the state's, or a gradient is not finite
    /// (under <see cref="NonFiniteGradientPolicy.Throw"/>); nothing was changed.</exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, OptimizerState state)
    {
        RequireLength(parameters.Length, state, nameof(parameters));
        Compute(gradients, parameters, state);
        AddInPlace(parameters, state.Update.Span);
    }

    /// <summary>
    /// Computes the update without applying it, and advances the state. <paramref name="parameters"/> is
    /// needed only when the model declares the <c>param</c> input (<see cref="OptimizerContract.HasParamInput"/>).
    /// </summary>
    public void ComputeUpdate(ReadOnlySpan<float> gradients, OptimizerState state, Span<float> update, ReadOnlySpan<float> parameters = default)
    {
        RequireLength(update.Length, state, nameof(update));
        Compute(gradients, parameters, state);
        state.Update.Span.CopyTo(update);
    }

    private void Compute(ReadOnlySpan<float> gradients, ReadOnlySpan<float> parameters, OptimizerState state)
    {
        state.ThrowIfDisposed();
        if (state.ModelFingerprint != Fingerprint)
            throw new ArgumentException("this state was created by a different optimizer model; create it with this optimizer's CreateState", nameof(state));
        RequireLength(gradients.Length, state, nameof(gradients));
        if (Contract.HasParamInput)
        {
            if (parameters.Length != state.Length)
                throw new ArgumentException($"the model reads parameter values ('param' input): pass all {state.Length} of them (got {parameters.Length})", nameof(parameters));
            parameters.CopyTo(state.Parameters!.Span);
        }

        var grad = state.Gradient.Span;
        gradients.CopyTo(grad);
        var firstBad = IndexOfNonFinite(grad);
        if (firstBad >= 0 && options.NonFiniteGradients == NonFiniteGradientPolicy.Throw)
            throw new ArgumentException(
                $"gradient[{firstBad}] is {grad[firstBad]}: the step was refused and parameters and state are unchanged " +
                "(fix the gradient, or set NonFiniteGradients = SkipCoordinates to step the other coordinates)", nameof(gradients));
        if (firstBad >= 0)
            for (var i = firstBad; i < grad.Length; i++)
                if (!float.IsFinite(grad[i])) grad[i] = 0;

        engine.Run(state);

        if (firstBad >= 0) KeepSkippedCoordinates(gradients, firstBad, state);
        state.Swap();
        state.Steps++;
    }

    /// <summary>Undoes the step for coordinates whose gradient was not finite: no update, state as it was.</summary>
    private static void KeepSkippedCoordinates(ReadOnlySpan<float> gradients, int firstBad, OptimizerState state)
    {
        var update = state.Update.Span;
        for (var i = firstBad; i < gradients.Length; i++)
        {
            if (float.IsFinite(gradients[i])) continue;
            update[i] = 0;
            for (var s = 0; s < state.Specs.Count; s++)
            {
                var width = state.Specs[s].Width;
                state.Current(s).Slice((long)i * width, width).CopyTo(state.Next(s).Slice((long)i * width, width));
            }
        }
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // x - x is 0 for finite x and NaN for NaN or infinity, so one compare finds both.
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values.Slice(i));
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) break;
            }
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

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

    /// <inheritdoc />
    public void Dispose() => engine.Dispose();
}
