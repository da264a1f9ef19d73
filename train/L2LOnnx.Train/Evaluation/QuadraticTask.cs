namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// The paper's quadratics <c>f(theta) = ||W theta - y||^2</c> (W, y, theta0 i.i.d. N(0, 1)) in plain C#,
/// drawn from a seeded generator so held-out problems are the same on every machine.
/// </summary>
public sealed class QuadraticTask : IEvaluationTask
{
    private readonly float[] w;
    private readonly float[] y;
    private readonly float[] theta0;

    /// <summary>Draws <paramref name="problems"/> problems of dimension <paramref name="dimension"/> from <paramref name="seed"/>.</summary>
    public QuadraticTask(int problems, int seed, int dimension = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(problems);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ProblemCount = problems;
        Dimension = dimension;
        var random = new Random(seed);
        w = Normal(random, problems * dimension * dimension);
        y = Normal(random, problems * dimension);
        theta0 = Normal(random, problems * dimension);
    }

    /// <inheritdoc />
    public string Name => $"quadratic-{Dimension}d";

    /// <inheritdoc />
    public int ProblemCount { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public void Initialize(Span<float> parameters) => theta0.CopyTo(parameters);

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<float> parameters, int step, Span<float> losses, Span<float> gradients)
    {
        var d = Dimension;
        Span<float> residual = stackalloc float[d];
        for (var p = 0; p < ProblemCount; p++)
        {
            var theta = parameters.Slice(p * d, d);
            var matrix = w.AsSpan(p * d * d, d * d);
            double loss = 0;
            for (var row = 0; row < d; row++)
            {
                float sum = 0;
                for (var col = 0; col < d; col++) sum += matrix[row * d + col] * theta[col];
                residual[row] = sum - y[p * d + row];
                loss += residual[row] * residual[row];
            }
            losses[p] = (float)loss;
            // grad = 2 W^T (W theta - y)
            var grad = gradients.Slice(p * d, d);
            for (var col = 0; col < d; col++)
            {
                float sum = 0;
                for (var row = 0; row < d; row++) sum += matrix[row * d + col] * residual[row];
                grad[col] = 2 * sum;
            }
        }
    }

    private static float[] Normal(Random random, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            // Box-Muller: System.Random has no normal sampler.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return values;
    }
}
