namespace L2LOnnx.Runtime.Baselines;

/// <summary>
/// Nesterov momentum as PyTorch implements it: <c>v = mu v + g; theta -= lr (g + mu v)</c>.
/// </summary>
public sealed class Nag(int length, double learningRate, double momentum = 0.9) : IVectorOptimizer
{
    private readonly float lr = (float)learningRate;
    private readonly float mu = (float)momentum;
    private readonly float[] velocity = new float[length];

    /// <inheritdoc />
    public string Name => $"NAG(lr={learningRate:g3})";

    /// <inheritdoc />
    public int Length => velocity.Length;

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        Checks.Lengths(Length, parameters.Length, gradients.Length);
        for (var i = 0; i < parameters.Length; i++)
        {
            velocity[i] = mu * velocity[i] + gradients[i];
            parameters[i] -= lr * (gradients[i] + mu * velocity[i]);
        }
    }

    /// <inheritdoc />
    public void Reset() => Array.Clear(velocity);

    /// <inheritdoc />
    public void Dispose() { }
}
