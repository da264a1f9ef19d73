using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace L2LOnnx.Runtime.Engines;

/// <summary>
/// Runs any contract-v1 model with ONNX Runtime, the fast way: every buffer of an
/// <see cref="OptimizerState"/> is bound once through IoBinding (two bindings, one per direction of the
/// double-buffered state), so a step is a single native call that allocates nothing.
/// </summary>
internal sealed class OrtEngine : IDisposable
{
    private readonly SessionOptions sessionOptions;
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();

    public OrtEngine(byte[] model, LearnedOptimizerOptions options)
    {
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
            session = new InferenceSession(model, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            sessionOptions.Dispose();
            throw new ContractViolationException($"ONNX Runtime cannot load the model: {e.Message}", e);
        }
    }

    /// <summary>The graph inputs as ONNX Runtime reports them.</summary>
    public IReadOnlyList<TensorSignature> Inputs => Signatures(session.InputMetadata);

    /// <summary>The graph outputs as ONNX Runtime reports them.</summary>
    public IReadOnlyList<TensorSignature> Outputs => Signatures(session.OutputMetadata);

    /// <summary>Model metadata (<c>metadata_props</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata => session.ModelMetadata.CustomMetadataMap;

    /// <summary>
    /// Computes the update into <see cref="OptimizerState.Update"/> and the next state into the state's
    /// back buffers, from its gradient (and parameter) buffers and current state. Does not swap.
    /// </summary>
    public void Run(OptimizerState state)
    {
        var workspace = state.EngineWorkspace as Workspace;
        if (workspace is null || workspace.Owner != this)
        {
            state.EngineWorkspace?.Dispose();
            workspace = new Workspace(this, session, state);
            state.EngineWorkspace = workspace;
        }
        session.RunWithBinding(runOptions, workspace.Bindings[state.Parity]);
    }

    private static TensorSignature[] Signatures(IReadOnlyDictionary<string, NodeMetadata> values) =>
        values.Select(pair => new TensorSignature(
            pair.Key,
            pair.Value.IsTensor ? ElementTypeName(pair.Value.ElementDataType) : "non-tensor",
            pair.Value.IsTensor ? pair.Value.Dimensions.Select(d => d >= 0 ? (long?)d : null).ToArray() : Array.Empty<long?>()))
            .ToArray();

    private static string ElementTypeName(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float",
        TensorElementType.Double => "double",
        TensorElementType.Float16 => "float16",
        TensorElementType.BFloat16 => "bfloat16",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <inheritdoc />
    public void Dispose()
    {
        session.Dispose();
        sessionOptions.Dispose();
        runOptions.Dispose();
    }

    /// <summary>OrtValues over a state's native buffers and the two IoBindings that use them.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly List<OrtValue> values = new();

        public OrtEngine Owner { get; }

        public OrtIoBinding[] Bindings { get; }

        public Workspace(OrtEngine owner, InferenceSession session, OptimizerState state)
        {
            Owner = owner;
            var vector = new long[] { state.Length };
            var grad = Wrap(state.Gradient, vector);
            var update = Wrap(state.Update, vector);
            var param = state.Parameters is { } p ? Wrap(p, vector) : null;
            var sets = new OrtValue[2][];
            for (var set = 0; set < 2; set++)
                sets[set] = state.Specs.Select((spec, i) => Wrap(state.Buffer(set, i), new long[] { state.Length, spec.Width })).ToArray();

            Bindings = new OrtIoBinding[2];
            for (var parity = 0; parity < 2; parity++)
            {
                var binding = session.CreateIoBinding();
                binding.BindInput(ContractV1.GradInput, grad);
                if (param is not null) binding.BindInput(ContractV1.ParamInput, param);
                binding.BindOutput(ContractV1.UpdateOutput, update);
                for (var i = 0; i < state.Specs.Count; i++)
                {
                    binding.BindInput(state.Specs[i].Name, sets[parity][i]);
                    binding.BindOutput(state.Specs[i].OutputName, sets[1 - parity][i]);
                }
                Bindings[parity] = binding;
            }
        }

        private OrtValue Wrap(NativeBuffer buffer, long[] shape)
        {
            var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, shape, buffer.Pointer, buffer.ByteLength);
            values.Add(value);
            return value;
        }

        public void Dispose()
        {
            foreach (var binding in Bindings) binding.Dispose();
            foreach (var value in values) value.Dispose();
        }
    }
}
