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

    /// <summary>[4H, 1]: 2 for the cell-gate rows (i, f, g, o order), 1 elsewhere; see <see cref="Step"/>.</summary>
    private readonly Tensor cellGateDoubling;

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
        // Not a buffer: a constant of the arithmetic, not state to save or export.
        using (var scope = NewDisposeScope())
            cellGateDoubling = ones(4 * config.HiddenSize, 1).index_fill_(0, arange(2 * config.HiddenSize, 3 * config.HiddenSize), 2).DetachFromDisposeScope();
    }

    /// <summary>A fresh all-zero state for <paramref name="coordinates"/> coordinates.</summary>
    public LstmOptimizerState InitialState(long coordinates) => LstmOptimizerState.Zeros(Config, coordinates);

    /// <summary>
    /// One optimizer step: maps raw gradients [N] and the state to updates [N] (to be added to the
    /// parameters) and the next state. Preprocessing and output scaling happen inside, as in the ONNX graph.
    /// </summary>
    /// <remarks>
    /// Computes <c>torch.nn.LSTMCell</c>'s arithmetic feature-major: activations are [features, N], so
    /// each gate is a contiguous block of rows and every elementwise op runs over contiguous memory. In
    /// the coordinate-major layout PyTorch's cell uses ([N, 4H], gates as column slices) the strided
    /// gate ops made a step of the 15,910-coordinate MNIST optimizee 1.3-1.5x slower here. Each layer
    /// is one matrix product <c>[W_ih W_hh] [x; h] + (b_ih + b_hh)</c>; the weights are the
    /// <see cref="LSTMCell"/>s' own, so autograd and the exporter see the usual parameters.
    /// <para>
    /// libtorch's CPU tanh is several times slower than its sigmoid (0.8 against 0.2 ms over [20, 15910]
    /// here), so both tanh are computed as <c>tanh(x) = 2 sigmoid(2x) - 1</c>: the cell-gate rows of the
    /// weights are doubled, so that one sigmoid over all four gates also yields <c>sigmoid(2 z_g)</c>.
    /// The results agree with tanh to float rounding (about 1e-7 absolute).
    /// </para>
    /// </remarks>
    public (Tensor Update, LstmOptimizerState State) Step(Tensor grad, LstmOptimizerState state)
    {
        if (grad.dim() != 1) throw new ArgumentException($"grad must be 1-D [N], got shape [{string.Join(", ", grad.shape)}]", nameof(grad));
        if (state.Layers.Count != cells.Count)
            throw new ArgumentException($"state has {state.Layers.Count} layers, the network {cells.Count}", nameof(state));
        var x = GradientPreprocessing.Apply(grad, Config.PreprocessingP);
        var next = new (Tensor H, Tensor C)[cells.Count];
        for (var layer = 0; layer < cells.Count; layer++)
        {
            var cell = cells[layer];
            // The state holds [N, H] views of [H, N] storage, so .t() is free.
            var h = state.Layers[layer].H.t();
            var c = state.Layers[layer].C.t();
            var weights = torch.cat(new[] { cell.weight_ih!, cell.weight_hh! }, 1).mul(cellGateDoubling);
            var bias = cell.bias_ih!.add(cell.bias_hh!).unsqueeze(1).mul(cellGateDoubling);
            // chunk, not four narrows: its backward is one concatenation, a narrow's a zero-filled [4H, N] each.
            var gates = torch.addmm(bias, weights, torch.cat(new[] { x, h }, 0), 1, 1).sigmoid().chunk(4, 0);
            var (inputGate, forgetGate, outputGate) = (gates[0], gates[1], gates[3]);
            var cellGate = gates[2].mul(2).sub(1);
            var nextC = torch.addcmul(forgetGate.mul(c), inputGate, cellGate, 1);
            // o * tanh(c') = o * (2 sigmoid(2c') - 1) = 2 o sigmoid(2c') - o
            var nextH = torch.addcmul(outputGate.neg(), outputGate, nextC.mul(2).sigmoid(), 2);
            next[layer] = (nextH.t(), nextC.t());
            x = nextH;
        }
        var update = torch.addmm(output.bias!.unsqueeze(1), output.weight!, x, 1, 1).squeeze(0).mul((float)Config.OutputScale);
        return (update, new LstmOptimizerState(next));
    }

    /// <inheritdoc />
    public string Describe() => Config.Describe();

    IOptimizerNetworkState ILearnedOptimizerNetwork.InitialState(long coordinates) => InitialState(coordinates);

    /// <summary>The interface's step: the LSTM ignores the parameter values.</summary>
    (Tensor Update, IOptimizerNetworkState State) ILearnedOptimizerNetwork.Step(Tensor grad, Tensor param, IOptimizerNetworkState state) =>
        Step(grad, state as LstmOptimizerState
            ?? throw new ArgumentException($"an LSTM optimizer needs an {nameof(LstmOptimizerState)}, got {state.GetType().Name}", nameof(state)));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) cellGateDoubling.Dispose();
        base.Dispose(disposing);
    }
}
