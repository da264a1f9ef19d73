using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Conformance;

/// <summary>Replays conformance vectors on the L2LOnnx runtime (<see cref="LearnedOptimizer"/>).</summary>
/// <param name="optimizer">The loaded model; not disposed by this engine.</param>
/// <param name="name">How reports name it.</param>
public sealed class RuntimeConformanceEngine(LearnedOptimizer optimizer, string name) : IConformanceEngine
{
    private OptimizerState? state;

    /// <inheritdoc />
    public string Name => name;

    /// <summary>The runtime's contract view of the model (its states in input order).</summary>
    public OptimizerContract Contract => optimizer.Contract;

    /// <inheritdoc />
    public void Reset(int coordinates)
    {
        state?.Dispose();
        state = optimizer.CreateState(coordinates);
    }

    /// <inheritdoc />
    public void Step(ReadOnlySpan<float> grad, Span<float> update) => optimizer.ComputeUpdate(grad, Current, update);

    /// <inheritdoc />
    public ReadOnlySpan<float> State(string stateName) => Current.Read(stateName);

    private OptimizerState Current => state ?? throw new InvalidOperationException("call Reset before stepping");

    /// <inheritdoc />
    public void Dispose() => state?.Dispose();
}
