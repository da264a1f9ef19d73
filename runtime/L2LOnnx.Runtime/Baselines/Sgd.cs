namespace L2LOnnx.Runtime.Baselines;

/// <summary>Gradient descent: <c>theta -= lr * g</c>.</summary>
public sealed class Sgd(int length, double learningRate) : IVectorOptimizer
{
    private readonly float lr = (float)learningRate;

    /// <inheritdoc />
    public string Name => $"SGD(lr={learningRate:g3})";

    /// <inheritdoc />
    public int Length { get; } = length;

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        Checks.Lengths(Length, parameters.Length, gradients.Length);
        for (var i = 0; i < parameters.Length; i++) parameters[i] -= lr * gradients[i];
    }

    /// <inheritdoc />
    public void Reset() { }

    /// <inheritdoc />
    public void Dispose() { }
}
