namespace L2LOnnx.Runtime;

/// <summary>How a <see cref="LearnedOptimizer"/> runs its model.</summary>
public sealed record LearnedOptimizerOptions
{
    /// <summary>
    /// Threads ONNX Runtime may use inside one step (intra-op). 0 lets ONNX Runtime choose (one per
    /// physical core). Set it when several optimizers or training threads share the machine.
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>What to do with NaN or infinite gradients. Default: refuse the step.</summary>
    public NonFiniteGradientPolicy NonFiniteGradients { get; init; } = NonFiniteGradientPolicy.Throw;
}

/// <summary>How a step treats gradients that are NaN or infinite.</summary>
public enum NonFiniteGradientPolicy
{
    /// <summary>
    /// Refuse the step with an <see cref="ArgumentException"/> naming the first bad index; parameters and
    /// state are left exactly as they were.
    /// </summary>
    Throw,

    /// <summary>Step the other coordinates; the bad coordinates keep their parameter and state unchanged.</summary>
    SkipCoordinates,
}
