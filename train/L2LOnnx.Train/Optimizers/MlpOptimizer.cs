using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// A cheap coordinatewise learned optimizer: a small MLP on Adam-like per-coordinate features
/// (small_fc_lopt, Metz et al. 2022, without its cross-coordinate normalisation so that it stays under
/// contract v1). Outputs a direction and a magnitude per coordinate;
/// <c>update = b * direction * exp(a * tanh(magnitude))</c> (<see cref="MlpOptimizerConfig"/>).
/// </summary>
/// <remarks>
/// A linear skip from the features to the two outputs is initialised so that the untrained network is
/// Adam with beta1 = 0.9 (direction = minus the normalised 0.9-momentum, or minus the normalised
/// gradient when no decay is 0.9) at step size b, and the MLP's last layer starts small: meta-training
/// starts from a working optimizer instead of a random one, a warm start in the spirit of Chen et al.
/// 2020's imitation of Adam. With two hidden layers of 16 units on 5 features a step costs about
/// 0.8 kFLOP per coordinate, a twelfth of the 2x20 LSTM's 10 kFLOP.
/// </remarks>
public sealed class MlpOptimizer : nn.Module, ILearnedOptimizerNetwork
{
    private readonly ModuleList<Linear> hidden;
    private readonly Linear head;
    private readonly Linear skip;
    private readonly CoordinateFeatures features;

    /// <summary>The network's shape.</summary>
    public MlpOptimizerConfig Config { get; }

    /// <summary>The hidden layers, first first.</summary>
    public IReadOnlyList<Linear> Hidden => hidden.ToArray();

    /// <summary>The last layer, to (direction, magnitude).</summary>
    public Linear Head => head;

    /// <summary>The linear skip from the features to (direction, magnitude), without bias.</summary>
    public Linear Skip => skip;

    /// <summary>Creates a network (PyTorch's default initialisation from the global torch RNG, then the Adam warm start).</summary>
    public MlpOptimizer(MlpOptimizerConfig config) : base(nameof(MlpOptimizer))
    {
        config.Validate();
        Config = config;
        hidden = new ModuleList<Linear>();
        var width = config.InputCount;
        foreach (var units in config.HiddenSizes)
        {
            hidden.Add(nn.Linear(width, units));
            width = units;
        }
        head = nn.Linear(width, config.OutputCount);
        skip = nn.Linear(config.InputCount, config.OutputCount, hasBias: false);
        RegisterComponents();
        features = new CoordinateFeatures(config.Features);
        using var noGrad = no_grad();
        head.weight!.mul_(0.1f);
        head.bias!.mul_(0.1f);
        skip.weight!.zero_();
        skip.weight![0, AdamFeature(config.Features)] = tensor(-1f);
        // With step adaptation the warm start also grows the step where the gradient agrees with the
        // last momentum and shrinks it where they disagree: hypergradient descent on the log step size
        // (Baydin et al. 2018) in the spirit of Rprop, for meta-training to refine.
        if (config.StepAdaptation) skip.weight![2, AgreementInput] = tensor(1f);
    }

    /// <summary>Index of the step-agreement input (after the features; step adaptation only).</summary>
    private int AgreementInput => Config.Features.FeatureCount;

    /// <summary>The feature the warm start follows: the normalised 0.9-momentum, else the normalised gradient (index 0).</summary>
    private static int AdamFeature(CoordinateFeatureConfig features)
    {
        for (var i = 0; i < features.Momenta; i++)
            if (Math.Abs(features.MomentumDecays[i] - 0.9) < 1e-12) return 1 + i;
        return 0;
    }

    /// <summary>The momentum the step agreement compares the gradient with: the 0.9 one, else the first.</summary>
    internal static int AgreementMomentum(CoordinateFeatureConfig features) => Math.Max(AdamFeature(features) - 1, 0);

    /// <inheritdoc />
    public string Describe() => Config.Describe();

    /// <inheritdoc />
    public IOptimizerNetworkState InitialState(long coordinates) => MlpOptimizerState.Zeros(Config, coordinates);

    /// <inheritdoc />
    public (Tensor Update, IOptimizerNetworkState State) Step(Tensor grad, Tensor param, IOptimizerNetworkState state)
    {
        if (grad.dim() != 1) throw new ArgumentException($"grad must be 1-D [N], got shape [{string.Join(", ", grad.shape)}]", nameof(grad));
        if (state is not MlpOptimizerState mlpState)
            throw new ArgumentException($"an MLP optimizer needs an {nameof(MlpOptimizerState)}, got {state.GetType().Name}", nameof(state));
        var accumulators = Config.StepAdaptation ? mlpState.Accumulators.narrow(1, 0, Config.Features.StateSize) : mlpState.Accumulators;
        var (x, next) = features.Step(grad, param, accumulators);
        var input = x;
        Tensor? logStep = null;
        if (Config.StepAdaptation)
        {
            logStep = mlpState.Accumulators.narrow(1, Config.Features.StateSize, 1);
            var agreement = features.Agreement(x, accumulators, next, AgreementMomentum(Config.Features));
            input = cat(new[] { x, agreement, logStep.mul((float)(1 / Config.StepAdaptationRange)) }, 1);
        }
        var h = input;
        foreach (var layer in hidden) h = layer.forward(h).relu();
        var output = head.forward(h).add(skip.forward(input));
        var direction = output.narrow(1, 0, 1);
        if (Config.BoundedDirection) direction = direction.tanh();
        var magnitude = output.narrow(1, 1, 1).tanh().mul((float)Config.MagnitudeRange).exp();
        var update = direction.mul(magnitude).mul((float)Config.StepSize);
        if (logStep is not null)
        {
            var nextLogStep = logStep.add(output.narrow(1, 2, 1).tanh().mul((float)Config.StepAdaptationRate))
                .clamp(-(float)Config.StepAdaptationRange, (float)Config.LogStepMax);
            update = update.mul(nextLogStep.exp());
            next = cat(new[] { next, nextLogStep }, 1);
        }
        return (update.squeeze(1), new MlpOptimizerState(next));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) features.Dispose();
        base.Dispose(disposing);
    }
}
