using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// A batch of problems to evaluate optimizers on, as one flat parameter vector (the problems' parameters
/// side by side). Every optimizer here is elementwise or coordinatewise, so stepping the whole vector
/// at once is the same as stepping each problem alone, and far faster.
/// </summary>
public interface IEvaluationTask
{
    /// <summary>Task name for reports, e.g. <c>quadratic-10d</c>.</summary>
    string Name { get; }

    /// <summary>Number of independent problems.</summary>
    int ProblemCount { get; }

    /// <summary>Parameters per problem.</summary>
    int Dimension { get; }

    /// <summary>
    /// How one problem's parameters split into groups that may each have their own learned optimizer
    /// (see <see cref="ParameterGroup"/>); a single group unless the task says otherwise.
    /// </summary>
    IReadOnlyList<ParameterGroup> Groups => ParameterGroup.Single(Dimension);

    /// <summary>Writes every problem's starting point into <paramref name="parameters"/> [problems * dimension].</summary>
    void Initialize(Span<float> parameters);

    /// <summary>
    /// Computes every problem's loss into <paramref name="losses"/> [problems] and gradient into
    /// <paramref name="gradients"/> [problems * dimension] at <paramref name="parameters"/>.
    /// <paramref name="step"/> lets stochastic tasks pick the minibatch deterministically.
    /// </summary>
    void Evaluate(ReadOnlySpan<float> parameters, int step, Span<float> losses, Span<float> gradients);
}
