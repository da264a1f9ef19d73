namespace L2LOnnx.Train.Conformance;

/// <summary>
/// Deterministic gradients that exercise every branch of the paper's log/sign preprocessing: exact
/// zeros, values below the threshold <c>e^-p</c>, the threshold itself and its float32 neighbours on
/// both sides, ordinary magnitudes and large ones, with both signs.
/// </summary>
/// <remarks>
/// Coordinate <c>i</c> at step <c>t</c> takes class <c>(i + t) mod 8</c>, so every coordinate visits
/// every class within eight steps and the LSTM state sees mixed histories. The sequence depends only on
/// the seed, never on the platform (System.Random with a seed is stable across .NET versions).
/// </remarks>
public sealed class ConformanceGradients
{
    /// <summary>The number of gradient classes coordinates cycle through.</summary>
    public const int Classes = 8;

    /// <summary>The preprocessing <c>p</c> whose threshold <c>e^-p</c> the gradients straddle when a model does not say (the paper's 10).</summary>
    public const double DefaultP = 10;

    private readonly Random random;
    private readonly float threshold;

    /// <summary>Creates the sequence for threshold <paramref name="threshold"/> (the model's <c>e^-p</c> as float32).</summary>
    public ConformanceGradients(float threshold, int seed)
    {
        if (!(threshold > 0) || !float.IsFinite(threshold))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "the preprocessing threshold must be a positive finite float");
        this.threshold = threshold;
        random = new Random(seed);
    }

    /// <summary>Fills <paramref name="gradient"/> with the gradients of step <paramref name="step"/> (1-based).</summary>
    public void Next(int step, Span<float> gradient)
    {
        for (var i = 0; i < gradient.Length; i++)
        {
            var sign = random.Next(2) == 0 ? -1f : 1f;
            gradient[i] = sign * Magnitude((i + step) % Classes);
        }
    }

    private float Magnitude(int kind) => kind switch
    {
        0 => 0f,
        1 => threshold * (float)(0.001 + random.NextDouble() * 0.899),
        2 => threshold,
        3 => MathF.BitDecrement(threshold),
        4 => MathF.BitIncrement(threshold),
        5 => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(threshold) + random.Next(-8, 9)),
        6 => (float)Math.Exp(random.NextDouble() * -8),
        _ => (float)Math.Exp(2 + random.NextDouble() * 7),
    };
}
