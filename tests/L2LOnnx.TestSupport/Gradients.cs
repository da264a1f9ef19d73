namespace L2LOnnx.TestSupport;

/// <summary>Gradient vectors that exercise every branch of the log/sign preprocessing.</summary>
public static class Gradients
{
    /// <summary>
    /// <paramref name="count"/> gradients mixing exact zeros, values below e^-10, values straddling the
    /// e^-10 threshold, ordinary values and large ones, both signs, deterministic in <paramref name="seed"/>.
    /// </summary>
    public static float[] Spanning(int count, int seed)
    {
        var random = new Random(seed);
        var threshold = (float)Math.Exp(-10);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var sign = random.Next(2) == 0 ? -1f : 1f;
            values[i] = (i % 7) switch
            {
                0 => 0f,
                1 => sign * threshold * (float)random.NextDouble() * 0.5f,
                2 => sign * BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(threshold) + random.Next(-2, 3)),
                3 => sign * (float)Math.Exp(random.NextDouble() * 8 + 2),
                _ => sign * (float)Math.Exp(random.NextDouble() * 12 - 8),
            };
        }
        return values;
    }
}
