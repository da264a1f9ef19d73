namespace L2LOnnx.Runtime.Baselines;

/// <summary>RMSprop as PyTorch implements it: <c>s = a s + (1 - a) g^2; theta -= lr g / (sqrt(s) + eps)</c>.</summary>
public sealed class RmsProp(int length, double learningRate, double alpha = 0.99, double epsilon = 1e-8) : IVectorOptimizer
{
    private readonly float lr = (float)learningRate;
    private readonly float a = (float)alpha;
    private readonly float eps = (float)epsilon;
    private readonly float[] square = new float[length];

    /// <inheritdoc />
    public string Name => $"RMSprop(lr={learningRate:g3})";

    /// <inheritdoc />
    public int Length => square.Length;

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        Checks.Lengths(Length, parameters.Length, gradients.Length);
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = gradients[i];
            square[i] = a * square[i] + (1 - a) * g * g;
            parameters[i] -= lr * g / (MathF.Sqrt(square[i]) + eps);
        }
    }

    /// <inheritdoc />
    public void Reset() => Array.Clear(square);

    /// <inheritdoc />
    public void Dispose() { }
}
