using L2LOnnx.Runtime;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// Runs a separate optimizer on each parameter group of a batch of problems laid out side by side
/// (problem-major, each problem's parameters in group order): e.g. one learned ONNX optimizer for the
/// convolutional parameters and another for the fully-connected ones, as in the paper's CIFAR-10 setup.
/// Each group's coordinates are gathered into a contiguous buffer, stepped, and scattered back.
/// </summary>
public sealed class GroupedVectorOptimizer : IVectorOptimizer
{
    private readonly IReadOnlyList<ParameterGroup> groups;
    private readonly IVectorOptimizer[] optimizers;
    private readonly float[][] parameterBuffers;
    private readonly float[][] gradientBuffers;
    private readonly int problems;
    private readonly int dimension;

    /// <summary>
    /// Binds <paramref name="optimizers"/> (one per group, in group order, each bound to
    /// <c>problems * group.Length</c> coordinates; taken over and disposed with this object) to
    /// <paramref name="problems"/> problems laid out in <paramref name="groups"/>.
    /// </summary>
    public GroupedVectorOptimizer(IReadOnlyList<ParameterGroup> groups, int problems, IReadOnlyList<IVectorOptimizer> optimizers, string name)
    {
        dimension = groups.Sum(g => g.Length);
        ParameterGroup.Validate(groups, dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(problems);
        if (optimizers.Count != groups.Count)
            throw new ArgumentException($"{optimizers.Count} optimizers for {groups.Count} parameter groups", nameof(optimizers));
        for (var i = 0; i < groups.Count; i++)
            if (optimizers[i].Length != problems * groups[i].Length)
                throw new ArgumentException($"the optimizer for group '{groups[i].Name}' is bound to {optimizers[i].Length} coordinates, the group has {problems * groups[i].Length}", nameof(optimizers));
        this.groups = groups;
        this.optimizers = optimizers.ToArray();
        this.problems = problems;
        parameterBuffers = groups.Select(g => new float[problems * g.Length]).ToArray();
        gradientBuffers = groups.Select(g => new float[problems * g.Length]).ToArray();
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Length => problems * dimension;

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != Length || gradients.Length != Length)
            throw new ArgumentException($"the optimizer is bound to {Length} coordinates, got {parameters.Length} parameters and {gradients.Length} gradients");
        for (var g = 0; g < groups.Count; g++)
        {
            var (start, length) = (groups[g].Start, groups[g].Length);
            for (var p = 0; p < problems; p++)
            {
                parameters.Slice(p * dimension + start, length).CopyTo(parameterBuffers[g].AsSpan(p * length));
                gradients.Slice(p * dimension + start, length).CopyTo(gradientBuffers[g].AsSpan(p * length));
            }
            optimizers[g].Step(parameterBuffers[g], gradientBuffers[g]);
            for (var p = 0; p < problems; p++)
                parameterBuffers[g].AsSpan(p * length, length).CopyTo(parameters.Slice(p * dimension + start, length));
        }
    }

    /// <inheritdoc />
    public void Reset()
    {
        foreach (var optimizer in optimizers) optimizer.Reset();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var optimizer in optimizers) optimizer.Dispose();
    }
}
