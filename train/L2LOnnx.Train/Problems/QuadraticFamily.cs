using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// The paper's synthetic quadratics (section 3.1): <c>f(theta) = ||W theta - y||^2</c> with
/// <c>W</c> [d, d], <c>y</c> [d] and the starting point <c>theta0</c> all i.i.d. N(0, 1), drawn anew
/// per problem. Batched: many independent functions per tensor computation.
/// </summary>
public sealed class QuadraticFamily(int dimension = 10) : IProblemFamily
{
    /// <summary>Parameters per problem (the paper uses 10).</summary>
    public int Dimension { get; } = dimension > 0 ? dimension : throw new ArgumentOutOfRangeException(nameof(dimension));

    /// <inheritdoc />
    public string Name => $"quadratic-{Dimension}d";

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> Groups => ParameterGroup.Single(Dimension);

    /// <inheritdoc />
    public IOptimizee Sample(int count, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var w = randn(new long[] { count, Dimension, Dimension }, generator: generator).DetachFromDisposeScope();
        var y = randn(new long[] { count, Dimension }, generator: generator).DetachFromDisposeScope();
        var theta0 = randn(new long[] { count, Dimension }, generator: generator).DetachFromDisposeScope();
        return new Batch(w, y, theta0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Holds nothing: every batch owns its own tensors.
    }

    private sealed class Batch(Tensor w, Tensor y, Tensor theta0) : IOptimizee
    {
        public int ProblemCount => (int)w.shape[0];
        public int Dimension => (int)w.shape[1];
        public Tensor InitialParameters() => theta0.clone();

        // Deterministic: the step does not matter.
        public Tensor Loss(Tensor theta, int step)
        {
            var residual = w.bmm(theta.unsqueeze(2)).squeeze(2) - y;
            return residual.square().sum(1);
        }

        public void Dispose()
        {
            w.Dispose();
            y.Dispose();
            theta0.Dispose();
        }
    }
}
