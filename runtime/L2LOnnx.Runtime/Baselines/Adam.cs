namespace L2LOnnx.Runtime.Baselines;

/// <summary>Adam (Kingma and Ba 2015) with bias correction, as in PyTorch.</summary>
public sealed class Adam(int length, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : IVectorOptimizer
{
    private readonly float[] first = new float[length];
    private readonly float[] second = new float[length];
    private int steps;

    /// <inheritdoc />
    public string Name => $"Adam(lr={learningRate:g3})";

    /// <inheritdoc />
    public int Length => first.Length;

    /// <inheritdoc />
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        Checks.Lengths(Length, parameters.Length, gradients.Length);
        steps++;
        var b1 = (float)beta1;
        var b2 = (float)beta2;
        var stepSize = (float)(learningRate / (1 - Math.Pow(beta1, steps)));
        var secondCorrection = (float)Math.Sqrt(1 - Math.Pow(beta2, steps));
        var eps = (float)epsilon;
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = gradients[i];
            first[i] = b1 * first[i] + (1 - b1) * g;
            second[i] = b2 * second[i] + (1 - b2) * g * g;
            parameters[i] -= stepSize * first[i] / (MathF.Sqrt(second[i]) / secondCorrection + eps);
        }
    }

    /// <inheritdoc />
    public void Reset()
    {
        Array.Clear(first);
        Array.Clear(second);
        steps = 0;
    }

    /// <inheritdoc />
    public void Dispose() { }
}
