using System.Diagnostics;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.MetaTraining;

/// <summary>
/// Meta-trains an <see cref="LstmOptimizer"/> on a problem family by truncated backpropagation
/// through time (Andrychowicz et al. 2016, section 2): each trajectory optimizes fresh problems for
/// <c>T</c> steps; after every unroll of <c>U</c> steps the meta-loss (sum of the optimizee losses over
/// the unroll) is back-propagated into the optimizer's weights and Adam takes one meta-step; the
/// optimizee parameters and LSTM states carry on, detached, into the next unroll.
/// </summary>
/// <remarks>
/// Every unroll runs inside a TorchSharp dispose scope and only the carried tensors leave it, so native
/// memory stays flat over any number of trajectories.
/// </remarks>
public sealed class MetaTrainer
{
    private readonly LstmOptimizer optimizer;
    private readonly IProblemFamily family;
    private readonly MetaTrainingOptions options;

    /// <summary>Prepares a run; nothing is computed until <see cref="Train"/>.</summary>
    public MetaTrainer(LstmOptimizer optimizer, IProblemFamily family, MetaTrainingOptions options)
    {
        options.Validate();
        this.optimizer = optimizer;
        this.family = family;
        this.options = options;
    }

    /// <summary>
    /// Runs meta-training. On return the network holds the weights with the best validation score
    /// (possibly the untrained ones, if training never improved on them).
    /// </summary>
    public MetaTrainingResult Train(IProgress<MetaTrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        using var problemGenerator = new Generator((ulong)options.Seed);
        using var validation = family.Sample(options.ValidationProblems, new Generator((ulong)options.Seed ^ 0x5EED_0F_7A11DA7E));
        using var metaOptimizer = optim.Adam(optimizer.parameters(), options.MetaLearningRate);

        var initial = Rollout.MetaLoss(optimizer, validation, options.TrajectoryLength);
        var best = initial;
        var bestTrajectory = 0;
        var bestWeights = CopyWeights();
        double? latest = null;
        var skipped = 0;
        var done = 0;

        for (var trajectory = 1; trajectory <= options.Trajectories && !cancellation.IsCancellationRequested; trajectory++)
        {
            var metaLoss = TrainTrajectory(problemGenerator, metaOptimizer, ref skipped);
            done = trajectory;
            if (trajectory % options.ValidateEvery == 0 || trajectory == options.Trajectories)
            {
                latest = Rollout.MetaLoss(optimizer, validation, options.TrajectoryLength);
                if (latest < best)
                {
                    best = latest.Value;
                    bestTrajectory = trajectory;
                    DisposeAll(bestWeights);
                    bestWeights = CopyWeights();
                }
            }
            progress?.Report(new MetaTrainingProgress(trajectory, options.Trajectories, metaLoss, latest, best, skipped, clock.Elapsed));
        }

        RestoreWeights(bestWeights);
        DisposeAll(bestWeights);
        return new MetaTrainingResult(done, initial, best, bestTrajectory, skipped, clock.Elapsed);
    }

    /// <summary>One trajectory on fresh problems; returns the mean meta-loss of its unrolls.</summary>
    private double TrainTrajectory(Generator generator, optim.Optimizer metaOptimizer, ref int skipped)
    {
        using var problems = family.Sample(options.ProblemsPerTrajectory, generator);
        var theta = problems.InitialParameters();
        var state = optimizer.InitialState((long)problems.ProblemCount * problems.Dimension);
        var unrolls = options.TrajectoryLength / options.UnrollLength;
        double sum = 0;
        try
        {
            for (var unroll = 0; unroll < unrolls; unroll++)
            {
                using var scope = NewDisposeScope();
                var (metaLoss, nextTheta, nextState) = Unroll(problems, theta, state);
                var value = metaLoss.item<float>();
                metaOptimizer.zero_grad();
                if (float.IsFinite(value))
                {
                    metaLoss.backward();
                    if (options.MetaGradientClip is { } clip)
                        nn.utils.clip_grad_norm_(optimizer.parameters(), clip);
                    metaOptimizer.step();
                    sum += value;
                }
                else
                {
                    // A non-finite meta-loss would poison Adam's moments for the rest of the run.
                    skipped++;
                }
                var carriedTheta = nextTheta.detach().MoveToOuterDisposeScope();
                var carriedState = nextState.DetachToOuterScope();
                theta.Dispose();
                state.Dispose();
                theta = carriedTheta;
                state = carriedState;
            }
        }
        finally
        {
            theta.Dispose();
            state.Dispose();
        }
        return sum / unrolls;
    }

    /// <summary>
    /// One truncated-BPTT unroll: <see cref="MetaTrainingOptions.UnrollLength"/> optimizee steps from
    /// <paramref name="theta"/>, returning the meta-loss (sum over steps of the mean loss over problems
    /// after each update) with its graph back to the optimizer's weights.
    /// </summary>
    private (Tensor MetaLoss, Tensor Theta, LstmOptimizerState State) Unroll(IOptimizee problems, Tensor theta, LstmOptimizerState state)
    {
        var current = theta.detach().requires_grad_(true);
        var loss = problems.Loss(current);
        var metaLoss = zeros(Array.Empty<long>());
        for (var step = 0; step < options.UnrollLength; step++)
        {
            // retain_graph: the same graph also carries the meta-loss back to phi later.
            var grad = autograd.grad(new[] { loss.sum() }, new[] { current }, retain_graph: true, create_graph: options.SecondDerivatives)[0];
            if (!options.SecondDerivatives) grad = grad.detach();
            var (update, next) = optimizer.Step(grad.reshape(-1), state);
            current = current + update.view(current.shape);
            state = next;
            loss = problems.Loss(current);
            metaLoss = metaLoss + loss.mean();
        }
        return (metaLoss, current, state);
    }

    private Dictionary<string, Tensor> CopyWeights()
    {
        using var noGrad = no_grad();
        return optimizer.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
    }

    private void RestoreWeights(Dictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in optimizer.named_parameters())
            parameter.copy_(weights[name]);
    }

    private static void DisposeAll(Dictionary<string, Tensor> weights)
    {
        foreach (var tensor in weights.Values) tensor.Dispose();
    }
}
