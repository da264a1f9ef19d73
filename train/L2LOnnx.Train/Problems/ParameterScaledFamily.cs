using System.Globalization;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// Random reparameterisation of another family's problems (<c>--parameter-scale-decades</c>): every drawn
/// problem gets a scale <c>s = 10^u</c>, <c>u ~ U(-d, d)</c>, and is optimised in <c>phi = theta / s</c>:
/// <c>f_s(phi) = f(s phi)</c>, starting from <c>theta0 / s</c>. The gradient in phi is <c>s</c> times the
/// gradient in theta and the curvature <c>s^2</c> times, so the step size a problem needs varies over
/// <c>2d</c> decades while the problem itself is the same.
/// </summary>
/// <remarks>
/// Meta-training on scaled problems makes a fixed step size a bad strategy, which pushes a learned
/// optimizer to find each problem's step size from what it observes, as Metz et al. 2019 ("Understanding
/// and correcting pathologies in the training of learned optimizers") do with random problem scaling.
/// Adam-normalised features are blind to a loss scale, not to this one: the distance to travel in phi
/// changes with <c>1/s</c>. Meta-training only; held-out problems are never rescaled.
/// </remarks>
public sealed class ParameterScaledFamily : IProblemFamily
{
    private readonly IProblemFamily inner;

    /// <summary>Rescales the problems of <paramref name="inner"/> (taken over: disposed with this family) by up to <paramref name="decades"/> decades either way.</summary>
    public ParameterScaledFamily(IProblemFamily inner, double decades)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!(decades > 0 && decades <= 6)) throw new ArgumentOutOfRangeException(nameof(decades), decades, "must be in (0, 6], e.g. 1 for scales 0.1 .. 10");
        this.inner = inner;
        Decades = decades;
    }

    /// <summary>How many decades either way the scale ranges over.</summary>
    public double Decades { get; }

    /// <inheritdoc />
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{inner.Name}, parameters scaled by 10^U(-{Decades:R}, {Decades:R})");

    /// <inheritdoc />
    public int Dimension => inner.Dimension;

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> Groups => inner.Groups;

    /// <inheritdoc />
    public IOptimizee Sample(int count, Generator generator)
    {
        var problems = inner.Sample(count, generator);
        try
        {
            // Drawn after the problems so that the same seed gives the same problems with and without scaling.
            using var scope = NewDisposeScope();
            var exponents = rand(new long[] { problems.ProblemCount, 1 }, generator: generator).mul(2 * Decades).sub(Decades);
            var scales = exponents.mul(Math.Log(10)).exp().DetachFromDisposeScope();
            return new Scaled(problems, scales);
        }
        catch
        {
            problems.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => inner.Dispose();

    private sealed class Scaled(IOptimizee problems, Tensor scales) : IOptimizee
    {
        public int ProblemCount => problems.ProblemCount;
        public int Dimension => problems.Dimension;
        public IReadOnlyList<ParameterGroup> Groups => problems.Groups;

        public Tensor InitialParameters()
        {
            using var theta0 = problems.InitialParameters();
            return theta0.div(scales);
        }

        public Tensor Loss(Tensor phi, int step) => problems.Loss(phi.mul(scales), step);

        public void Dispose()
        {
            problems.Dispose();
            scales.Dispose();
        }
    }
}
