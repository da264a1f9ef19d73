namespace L2LOnnx.Runtime;

/// <summary>A <see cref="LearnedOptimizer"/> together with the state of one parameter vector.</summary>
public sealed class LearnedVectorOptimizer : IVectorOptimizer
{
    private readonly LearnedOptimizer optimizer;

    /// <summary>Binds <paramref name="optimizer"/> to a new state of <paramref name="length"/> coordinates. The optimizer is not owned.</summary>
    public LearnedVectorOptimizer(LearnedOptimizer optimizer, int length, string name = "learned")
    {
        this.optimizer = optimizer;
        State = optimizer.CreateState(length);
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Length => State.Length;

    /// <summary>The state being advanced (owned: disposed with this object).</summary>
    public OptimizerState State { get; }

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients) => optimizer.Step(parameters, gradients, State);

    /// <inheritdoc />
    public void Reset() => State.Reset();

    /// <inheritdoc />
    public void Dispose() => State.Dispose();
}
