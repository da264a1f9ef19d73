using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using static TorchSharp.torch;

namespace L2LOnnx.Train.MetaTraining;

/// <summary>
/// Runs a learned optimizer on problems without meta-gradients: for validation during meta-training
/// and for evaluation of a trained network in TorchSharp.
/// </summary>
public static class Rollout
{
    /// <summary>
    /// Optimizes every problem for <paramref name="steps"/> steps and returns the losses,
    /// <c>[step, problem]</c> with step 0 the starting point.
    /// </summary>
    public static float[,] Losses(GroupedOptimizer optimizer, IOptimizee problems, int steps)
    {
        var losses = new float[steps + 1, problems.ProblemCount];
        var theta = problems.InitialParameters();
        var state = optimizer.InitialState(problems.ProblemCount, problems.Groups);
        try
        {
            for (var t = 0; ; t++)
            {
                using var scope = NewDisposeScope();
                var leaf = theta.detach().requires_grad_(true);
                var loss = problems.Loss(leaf, t);
                var values = loss.detach().cpu().data<float>().ToArray();
                for (var p = 0; p < values.Length; p++) losses[t, p] = values[p];
                if (t == steps) break;
                var grad = autograd.grad(new[] { loss.sum() }, new[] { leaf })[0];
                using (no_grad())
                {
                    var (update, next) = optimizer.Step(grad, leaf.detach(), state);
                    var nextTheta = (leaf.detach() + update).MoveToOuterDisposeScope();
                    var nextState = next.DetachToOuterScope();
                    theta.Dispose();
                    state.Dispose();
                    theta = nextTheta;
                    state = nextState;
                }
            }
        }
        finally
        {
            theta.Dispose();
            state.Dispose();
        }
        return losses;
    }

    /// <summary>
    /// The validation score used to select the best optimizer: the mean over problems of
    /// <see cref="ProblemScores"/> (lower is better). A diverged problem makes the score NaN or infinite,
    /// which never counts as an improvement.
    /// </summary>
    public static double MetaLoss(GroupedOptimizer optimizer, IOptimizee problems, MetaTrainingOptions options) =>
        ProblemScores(optimizer, problems, options).Average();

    /// <summary>
    /// Every problem's validation score after a rollout of <see cref="MetaTrainingOptions.ValidationHorizon"/>
    /// steps, under <see cref="MetaTrainingOptions.Validation"/>: by default the weighted sum over steps 1..V of
    /// the losses, or of their logarithms (<see cref="MetaTrainingOptions.Objective"/>), i.e. the meta-loss of a
    /// whole trajectory.
    /// </summary>
    public static double[] ProblemScores(GroupedOptimizer optimizer, IOptimizee problems, MetaTrainingOptions options) =>
        options.ProblemScores(Losses(optimizer, problems, options.ValidationHorizon));
}
