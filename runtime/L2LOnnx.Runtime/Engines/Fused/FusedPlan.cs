using System.Runtime.InteropServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>What the kernel reads about the model: constants and pointers to packed native weights.</summary>
internal unsafe struct FusedPlan
{
    public int InputSize;
    public int LayerCount;
    public LayerPlan* Layers;
    public float Threshold;
    public float P;
    public float MinusOne;
    public float SmallScale;
    public float* OutputWeight;
    public float OutputBias;
    public float OutputScale;
}

/// <summary>One layer's packed weights and the contract indices of its states.</summary>
internal unsafe struct LayerPlan
{
    public float* Weights;
    public float* Bias;
    public int InputSize;
    public int HiddenSize;
    public int PaddedRows;
    public int HState;
    public int CState;
}

/// <summary>
/// What a fused kernel reads and writes for one state: its plan, gradient, update, parameter and
/// state buffers. The kernel reads the current state from <see cref="States"/> and writes the next
/// one to <see cref="NextStates"/>: the same buffers when the state is updated in place, the back
/// buffers of a double-buffered state otherwise.
/// </summary>
internal unsafe struct KernelArguments
{
    /// <summary>The kernel's native plan: a <see cref="FusedPlan"/> or a <see cref="ProgramPlan"/>.</summary>
    public void* Plan;
    public float* Gradient;
    public float* Update;

    /// <summary>The parameter values, or null when the model does not read them.</summary>
    public float* Parameters;

    /// <summary>One pointer per contract state, each to a blocked [blocks][S][lanes] buffer: the current state.</summary>
    public float** States;

    /// <summary>Where the next state goes, laid out as <see cref="States"/>.</summary>
    public float** NextStates;

    /// <summary>
    /// 1 when the next states are other buffers than the current ones and too large to stay in cache:
    /// the kernels then write them (the compiled program every state, the LSTM kernel its cells) with
    /// non-temporal stores, which do not read each line from memory before overwriting it.
    /// </summary>
    public int StreamNextStates;
}

/// <summary>
/// Owns the native copy of a <see cref="FusedLstmModel"/> the kernel reads: one 64-byte aligned
/// allocation per array, freed on dispose. Native so the kernel's pointers stay valid without pinning.
/// </summary>
internal sealed unsafe class NativePlan : IDisposable
{
    private readonly NativeArena arena = new();

    public NativePlan(FusedLstmModel model)
    {
        Plan = (FusedPlan*)arena.Allocate(sizeof(FusedPlan));
        var layers = (LayerPlan*)arena.Allocate(sizeof(LayerPlan) * model.Layers.Count);
        for (var l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            layers[l] = new LayerPlan
            {
                Weights = arena.Copy(layer.PackedWeights),
                Bias = arena.Copy(layer.Bias),
                InputSize = layer.InputSize,
                HiddenSize = layer.HiddenSize,
                PaddedRows = layer.PaddedRows,
                HState = layer.HState,
                CState = layer.CState,
            };
        }
        var pre = model.Preprocessing;
        *Plan = new FusedPlan
        {
            InputSize = model.InputSize,
            LayerCount = model.Layers.Count,
            Layers = layers,
            Threshold = pre?.Threshold ?? 0f,
            P = pre?.P ?? 1f,
            MinusOne = pre?.MinusOne ?? 0f,
            SmallScale = pre?.SmallScale ?? 0f,
            OutputWeight = arena.Copy(model.OutputWeight),
            OutputBias = model.OutputBias,
            OutputScale = model.OutputScale,
        };
        MaxPaddedRows = model.Layers.Max(l => l.PaddedRows);
    }

    public FusedPlan* Plan { get; }

    /// <summary>The largest layer's gate rows (padded), which sizes the kernel's scratch.</summary>
    public int MaxPaddedRows { get; }

    public void Dispose() => arena.Dispose();
}
