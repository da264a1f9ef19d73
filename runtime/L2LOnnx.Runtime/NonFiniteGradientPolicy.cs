namespace L2LOnnx.Runtime;

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
