using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// The coordinatewise LSTM optimizer <c>m(grad, h, phi)</c> of Andrychowicz et al. 2016: every
/// coordinate of the optimizee runs through the same small LSTM stack with its own state, so one
/// network serves any number of parameters in any order.
/// </summary>
/// <remarks>
/// Mirrors <c>torch.nn.LSTMCell</c> stacked by hand: layer <c>l</c> is an <see cref="LSTMCell"/> whose
/// weights are <c>weight_ih [4H, in]</c>, <c>weight_hh [4H, H]</c>, <c>bias_ih</c>, <c>bias_hh</c> with
/// gates in PyTorch's order (i, f, g, o). The output layer is a <see cref="Linear"/> from H to 1.
/// </remarks>
public sealed class LstmOptimizer : nn.Module, ILearnedOptimizerNetwork
{
    private readonly ModuleList<LSTMCell> cells;
    private readonly Linear output;

    /// <summary>The network's shape.</summary>
    public LstmOptimizerConfig Config { get; }

    /// <summary>The LSTM layers, first layer first.</summary>
    public IReadOnlyList<LSTMCell> Cells => cells.ToArray();

    /// <summary>The final linear layer, hidden to one output per coordinate.</summary>
    public Linear Output => output;

    /// <summary>Creates a network with PyTorch's default initialisation from the global torch RNG.</summary>
    public LstmOptimizer(LstmOptimizerConfig config) : base(nameof(LstmOptimizer))
    {
        config.Validate();
        Config = config;
        cells = new ModuleList<LSTMCell>();
        for (var layer = 0; layer < config.Layers; layer++)
            cells.Add(nn.LSTMCell(layer == 0 ? config.InputSize : config.HiddenSize, config.HiddenSize));
        output = nn.Linear(config.HiddenSize, 1);
        RegisterComponents();
    }

    /// <summary>A fresh all-zero state for <paramref name="coordinates"/> coordinates.</summary>
    public LstmOptimizerState InitialState(long coordinates) => LstmOptimizerState.Zeros(Config, coordinates);

    /// <summary>
    /// One optimizer step: maps raw gradients [N] and the state to updates [N] (to be added to the
    /// parameters) and the next state. Preprocessing and output scaling happen inside, as in the ONNX graph.
    /// </summary>
    /// <remarks>
    /// Computes <c>torch.nn.LSTMCell</c>'s arithmetic feature-major: activations are [features, N], so
    /// each gate is a contiguous block of rows. In the coordinate-major layout PyTorch's cell uses
    /// ([N, 4H], gates as column slices) the strided gate ops made a step of the 15,910-coordinate
    /// MNIST optimizee 1.3-1.5x slower here. Where libtorch carries MKL (<see cref="MklGemm"/>), the
    /// whole step is one <see cref="FusedLstmStep"/>: every layer and the output layer on blocks of
    /// coordinates, with a hand-written backward, one autograd node per step. Elsewhere (or with
    /// <see cref="UseLayerCells"/>) each layer is one <see cref="FusedLstmCell"/>: libtorch's products
    /// <c>W_ih x + W_hh h + (b_ih + b_hh)</c> and one fused pass for the gates and the cell (see
    /// docs/training.md for the profiles that chose both). The weights are the <see cref="LSTMCell"/>s'
    /// own, so autograd and the exporter see the usual parameters.
    /// </remarks>
    public (Tensor Update, LstmOptimizerState State) Step(Tensor grad, LstmOptimizerState state)
    {
        if (grad.dim() != 1) throw new ArgumentException($"grad must be 1-D [N], got shape [{string.Join(", ", grad.shape)}]", nameof(grad));
        if (state.Layers.Count != cells.Count)
            throw new ArgumentException($"state has {state.Layers.Count} layers, the network {cells.Count}", nameof(state));
        var scale = Config.OutputScale;
        var next = new (Tensor H, Tensor C)[cells.Count];
        if (MklGemm.IsAvailable && !UseLayerCells && grad.dtype == ScalarType.Float32 && grad.device_type == DeviceType.CPU)
        {
            // A constant gradient is preprocessed inside the step, block by block; one whose derivatives
            // are kept goes through the differentiable libtorch ops first.
            var inStep = Config.PreprocessingP is not null && !grad.requires_grad;
            var input = inStep ? grad : GradientPreprocessing.Apply(grad, Config.PreprocessingP);
            var weights = new (Tensor, Tensor, Tensor, Tensor)[cells.Count];
            for (var layer = 0; layer < cells.Count; layer++)
                weights[layer] = (cells[layer].weight_ih!, cells[layer].weight_hh!, cells[layer].bias_ih!, cells[layer].bias_hh!);
            var results = FusedLstmStep.apply(FusedLstmStep.Arguments(input, scale, inStep ? Config.PreprocessingP : null, state, weights, output.weight!, output.bias!));
            for (var layer = 0; layer < cells.Count; layer++) next[layer] = (results[1 + 2 * layer], results[2 + 2 * layer]);
            return (results[0], new LstmOptimizerState(next));
        }
        var x = GradientPreprocessing.Apply(grad, Config.PreprocessingP);
        for (var layer = 0; layer < cells.Count; layer++)
        {
            var cell = cells[layer];
            var bias = cell.bias_ih!.add(cell.bias_hh!).unsqueeze(1);
            // The state holds [N, H] views of [H, N] storage, so .t() is free.
            var outputs = FusedLstmCell.apply(x, state.Layers[layer].H.t(), state.Layers[layer].C.t(), cell.weight_ih!, cell.weight_hh!, bias);
            next[layer] = (outputs[0].t(), outputs[1].t());
            x = outputs[0];
        }
        var update = torch.addmm(output.bias!.unsqueeze(1), output.weight!, x, (float)scale, (float)scale).view(-1);
        return (update, new LstmOptimizerState(next));
    }

    /// <summary>
    /// Makes this thread's steps run one <see cref="FusedLstmCell"/> per layer with libtorch's products
    /// (the path where libtorch has no MKL) instead of one <see cref="FusedLstmStep"/>: for comparing the two.
    /// </summary>
    [ThreadStatic]
    internal static bool UseLayerCells;

    /// <inheritdoc />
    public string Describe() => Config.Describe();

    IOptimizerNetworkState ILearnedOptimizerNetwork.InitialState(long coordinates) => InitialState(coordinates);

    /// <summary>The interface's step: the LSTM ignores the parameter values.</summary>
    (Tensor Update, IOptimizerNetworkState State) ILearnedOptimizerNetwork.Step(Tensor grad, Tensor param, IOptimizerNetworkState state) =>
        Step(grad, state as LstmOptimizerState
            ?? throw new ArgumentException($"an LSTM optimizer needs an {nameof(LstmOptimizerState)}, got {state.GetType().Name}", nameof(state)));
}
