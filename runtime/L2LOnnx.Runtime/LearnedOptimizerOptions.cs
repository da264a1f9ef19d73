namespace L2LOnnx.Runtime;

/// <summary>How a <see cref="LearnedOptimizer"/> runs its model. Every setting has a working default.</summary>
public sealed record LearnedOptimizerOptions
{
    /// <summary>
    /// Threads one step may use, in either engine (ONNX Runtime's intra-op threads, or the fused
    /// engine's workers including the calling thread). 0 (default) uses one per processor. Set it when
    /// several optimizers or training threads share the machine.
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Which engine computes the steps. Default: <see cref="OptimizerEngine.Auto"/>.</summary>
    public OptimizerEngine Engine { get; init; } = OptimizerEngine.Auto;

    /// <summary>Where ONNX Runtime runs. Default: the CPU.</summary>
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>The CUDA device ordinal when <see cref="ExecutionProvider"/> is <see cref="Runtime.ExecutionProvider.Cuda"/>.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>
    /// Coordinates ONNX Runtime processes per run (a tile): a larger N is stepped tile by tile, which
    /// bounds ONNX Runtime's temporary memory to about <c>TileSize</c> x 4 x hidden x 4 bytes per layer
    /// whatever N is. Results do not depend on it (contract v1 is coordinatewise). Default 65,536. The
    /// fused engine always works in blocks of a few dozen coordinates and ignores it.
    /// </summary>
    public int TileSize { get; init; } = 65_536;

    /// <summary>
    /// How the fused engine stores the state: <see cref="Runtime.StatePrecision.Float32"/> (default) or
    /// <see cref="Runtime.StatePrecision.BFloat16"/>, half the memory with float32 arithmetic. The load
    /// self-check runs in float32 either way; with ONNX Runtime the state stays float32.
    /// </summary>
    public StatePrecision StatePrecision { get; init; } = StatePrecision.Float32;

    /// <summary>What to do with NaN or infinite gradients. Default: refuse the step.</summary>
    public NonFiniteGradientPolicy NonFiniteGradients { get; init; } = NonFiniteGradientPolicy.Throw;

    /// <summary>
    /// When false (default), every step checks that the update and the next state the model computed
    /// are finite before anything is written, on either engine: a model that produces NaN or infinity
    /// has its whole step refused with <see cref="ContractViolationException"/>, parameters, state and
    /// step count bit-identical. Both engines double-buffer the state for it (refusing is not swapping).
    /// ONNX Runtime's outputs are scanned after its run; the fused kernels check what they store as they
    /// store it (measured 4 to 8% more CPU time per step at N = 100,000; docs/runtime.md, "Cost of the
    /// output check"). Set true to skip the check when the model is
    /// trusted: the fused engine then updates the state in place, in half the memory, and non-finite
    /// values reach the parameters.
    /// </summary>
    public bool SkipOutputCheck { get; init; }

    /// <summary>
    /// Receives one-line messages about loading: which engine was chosen and why, e.g. why the fused
    /// engine was not used. Default: none (the same text is in <see cref="LearnedOptimizer.EngineReason"/>).
    /// </summary>
    public Action<string>? Log { get; init; }

    internal int EffectiveThreads => IntraOpThreads > 0 ? IntraOpThreads : Environment.ProcessorCount;

    internal void Validate()
    {
        if (IntraOpThreads < 0) throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "threads must be 0 (one per processor) or positive");
        if (TileSize < 1) throw new ArgumentOutOfRangeException(nameof(TileSize), TileSize, "a tile needs at least one coordinate");
        if (CudaDeviceId < 0) throw new ArgumentOutOfRangeException(nameof(CudaDeviceId), CudaDeviceId, "CUDA device ordinals start at 0");
        if (ExecutionProvider == ExecutionProvider.Cuda && Engine == OptimizerEngine.Fused)
            throw new ArgumentException("the fused engine runs on the CPU only: use Engine = Auto or OnnxRuntime with the CUDA execution provider", nameof(Engine));
    }
}
