using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace L2LOnnx.Runtime.Engines;

/// <summary>
/// Runs any contract-v1 model with ONNX Runtime, the fast way: every buffer of an
/// <see cref="OptimizerState"/> is bound once through IoBinding (two bindings per tile, one per
/// direction of the double-buffered state), so a step is one native call per tile that allocates
/// nothing managed, with ONNX Runtime's memory arena reusing its temporaries.
/// </summary>
internal sealed class OrtEngine : IStepEngine
{
    private readonly SessionOptions sessionOptions;
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly int tileSize;

    public OrtEngine(byte[] model, LearnedOptimizerOptions options)
    {
        tileSize = options.TileSize;
        sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            // Measured: full graph optimisation made these small elementwise graphs slower, not faster.
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            EnableCpuMemArena = true,
        };
        try
        {
            // ONNX Runtime's intra-op threads spin after each run by default. In a training loop the
            // optimizer step alternates with the caller's own work, which the spinning threads would
            // slow down; measured on the shared 2-core machine, not spinning was also 20-25% faster
            // per step (N = 1e5, 2 threads: 68-76 ms against 81-100 ms).
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            // The precheck refuses external data; should a reference slip through anyway, ONNX Runtime
            // resolves it in this folder, which never exists, instead of the process's working directory.
            sessionOptions.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", NoExternalDataFolder);
            if (options.ExecutionProvider == ExecutionProvider.Cuda) AppendCuda(options.CudaDeviceId);
            session = new InferenceSession(model, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            sessionOptions.Dispose();
            runOptions.Dispose();
            throw new ContractViolationException($"ONNX Runtime cannot load the model: {e.Message}", e);
        }
        catch
        {
            sessionOptions.Dispose();
            runOptions.Dispose();
            throw;
        }
        Description = options.ExecutionProvider == ExecutionProvider.Cuda
            ? $"ONNX Runtime (CUDA device {options.CudaDeviceId})"
            : $"ONNX Runtime (CPU, {(options.IntraOpThreads > 0 ? options.IntraOpThreads.ToString() : "default")} intra-op threads)";
    }

    /// <summary>A folder that is never created: where ONNX Runtime would look for external data.</summary>
    private static readonly string NoExternalDataFolder =
        Path.Combine(Path.GetTempPath(), $"l2lonnx-no-external-data-{Guid.NewGuid():N}", "never-created");

    /// <summary>E.g. <c>ONNX Runtime (CPU, 2 intra-op threads)</c>.</summary>
    public string Description { get; }

    public StateLayout Layout => StateLayout.RowMajorDoubleBuffered;

    public bool Step(OptimizerState state, bool hasNonFinite, bool checkOutputs)
    {
        var workspace = state.EngineWorkspace as Workspace;
        if (workspace is null || workspace.Owner != this)
        {
            state.EngineWorkspace?.Dispose();
            state.EngineWorkspace = null;
            workspace = new Workspace(this, session, state, tileSize);
            state.EngineWorkspace = workspace;
        }
        try
        {
            foreach (var binding in workspace.Bindings[state.Parity])
                session.RunWithBinding(runOptions, binding);
        }
        catch (OnnxRuntimeException e)
        {
            // The state is double-buffered and not yet swapped, so the current state is untouched.
            throw new ContractViolationException(
                $"ONNX Runtime failed to run the model's step ({e.Message}): the model does not behave as its declared contract says " +
                "(an output of another shape than declared, or a step that needs more memory than is available); parameters and state are unchanged", e);
        }
        if (hasNonFinite) KeepSkippedCoordinates(state);
        // The next state is in the back buffers: refusing the step is not swapping.
        if (checkOutputs && OutputCheck.FindInOutputs(state) is not null) return false;
        state.Swap();
        return true;
    }

    /// <summary>Undoes the step for coordinates whose gradient was not finite: no update, state as it was.</summary>
    private static void KeepSkippedCoordinates(OptimizerState state)
    {
        var grad = state.Gradient.Span[..state.Length];
        var update = state.Update.Span;
        for (var i = 0; i < grad.Length; i++)
        {
            if (float.IsFinite(grad[i])) continue;
            update[i] = 0;
            for (var s = 0; s < state.Specs.Count; s++)
            {
                var width = state.Specs[s].Width;
                state.Current(s).Slice((long)i * width, width).CopyTo(state.Next(s).Slice((long)i * width, width));
            }
        }
    }

    private void AppendCuda(int deviceId)
    {
        try
        {
            sessionOptions.AppendExecutionProvider_CUDA(deviceId);
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or TypeInitializationException)
        {
            var missingBuild = e.Message.Contains("not enabled", StringComparison.OrdinalIgnoreCase)
                || e.Message.Contains("not available", StringComparison.OrdinalIgnoreCase)
                || e is EntryPointNotFoundException;
            var advice = missingBuild
                ? "the loaded ONNX Runtime was built without CUDA: reference the native package Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime"
                : "ONNX Runtime's CUDA provider could not start: check the NVIDIA driver (nvidia-smi) and that the CUDA and cuDNN libraries this ONNX Runtime release needs are on the library path";
            throw new NotSupportedException($"the CUDA execution provider is not available: {advice}. ONNX Runtime said: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        session.Dispose();
        sessionOptions.Dispose();
        runOptions.Dispose();
    }

    /// <summary>OrtValues over a state's native buffers, tile by tile, and the IoBindings that use them.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly List<OrtValue> values = new();

        public OrtEngine Owner { get; }

        /// <summary>[parity][tile]: parity p reads state set p and writes set 1 - p.</summary>
        public OrtIoBinding[][] Bindings { get; }

        public Workspace(OrtEngine owner, InferenceSession session, OptimizerState state, int tileSize)
        {
            Owner = owner;
            var tiles = (state.Length + tileSize - 1) / tileSize;
            Bindings = new[] { new OrtIoBinding[tiles], new OrtIoBinding[tiles] };
            try
            {
                for (var tile = 0; tile < tiles; tile++)
                {
                    long first = (long)tile * tileSize;
                    var count = (int)Math.Min(tileSize, state.Length - first);
                    var vector = new long[] { count };
                    var grad = Wrap(state.Gradient, first, count, vector);
                    var update = Wrap(state.Update, first, count, vector);
                    var param = state.Parameters is { } p ? Wrap(p, first, count, vector) : null;
                    var sets = new OrtValue[2][];
                    for (var set = 0; set < 2; set++)
                        sets[set] = state.Specs.Select((spec, i) => Wrap(state.Buffer(set, i), first * spec.Width, count * spec.Width, new long[] { count, spec.Width })).ToArray();

                    for (var parity = 0; parity < 2; parity++)
                    {
                        var binding = session.CreateIoBinding();
                        Bindings[parity][tile] = binding;
                        binding.BindInput(ContractV1.GradInput, grad);
                        if (param is not null) binding.BindInput(ContractV1.ParamInput, param);
                        binding.BindOutput(ContractV1.UpdateOutput, update);
                        for (var i = 0; i < state.Specs.Count; i++)
                        {
                            binding.BindInput(state.Specs[i].Name, sets[parity][i]);
                            binding.BindOutput(state.Specs[i].OutputName, sets[1 - parity][i]);
                        }
                    }
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        private unsafe OrtValue Wrap(NativeBuffer buffer, long offset, long count, long[] shape)
        {
            var value = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, (IntPtr)(buffer.Data + offset), count * sizeof(float));
            values.Add(value);
            return value;
        }

        public void Dispose()
        {
            foreach (var binding in Bindings.SelectMany(b => b)) binding?.Dispose();
            foreach (var value in values) value.Dispose();
        }
    }
}
