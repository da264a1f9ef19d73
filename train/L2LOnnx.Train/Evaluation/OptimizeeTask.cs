using L2LOnnx.Train.Problems;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// Any TorchSharp <see cref="IOptimizee"/> (MNIST MLPs, convnets, quadratics) as an
/// <see cref="IEvaluationTask"/>: losses and gradients are computed by TorchSharp from the flat float
/// parameter vector, so learned optimizers (through the ONNX runtime) and baselines (on spans) are
/// compared on exactly the same problems, minibatches included.
/// </summary>
public sealed class OptimizeeTask : IEvaluationTask, IDisposable
{
    private readonly IOptimizee problems;
    private readonly Tensor theta;

    /// <summary>Wraps <paramref name="problems"/> (taken over: disposed with the task) under <paramref name="name"/>.</summary>
    public OptimizeeTask(string name, IOptimizee problems)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        this.problems = problems;
        theta = zeros(problems.ProblemCount, problems.Dimension).DetachFromDisposeScope();
    }

    /// <summary>Draws <paramref name="count"/> problems from <paramref name="family"/> with seed <paramref name="seed"/>.</summary>
    public static OptimizeeTask Sample(IProblemFamily family, int count, long seed)
    {
        using var generator = new Generator((ulong)seed);
        return new OptimizeeTask(family.Name, family.Sample(count, generator));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int ProblemCount => problems.ProblemCount;

    /// <inheritdoc />
    public int Dimension => problems.Dimension;

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> Groups => problems.Groups;

    /// <inheritdoc />
    public void Initialize(Span<float> parameters)
    {
        using var initial = problems.InitialParameters();
        initial.data<float>().CopyTo(parameters, 0, 0);
    }

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<float> parameters, int step, Span<float> losses, Span<float> gradients)
    {
        using var scope = NewDisposeScope();
        theta.data<float>().CopyFrom(parameters, 0, 0);
        var leaf = theta.detach().requires_grad_(true);
        var loss = problems.Loss(leaf, step);
        var grad = autograd.grad(new[] { loss.sum() }, new[] { leaf })[0];
        loss.detach().data<float>().CopyTo(losses, 0, 0);
        grad.data<float>().CopyTo(gradients, 0, 0);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        theta.Dispose();
        problems.Dispose();
    }
}
