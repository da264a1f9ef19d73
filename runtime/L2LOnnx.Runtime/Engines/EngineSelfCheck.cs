namespace L2LOnnx.Runtime.Engines;

/// <summary>
/// Compares a candidate engine with ONNX Runtime on a probe batch before trusting it: random states,
/// gradients covering zero, the preprocessing threshold's both sides and large values, a few steps, and
/// a partial last block.
/// </summary>
internal static class EngineSelfCheck
{
    /// <summary>The largest difference accepted, <c>|a - b| / max(1, |b|)</c> (relative, absolute near zero).</summary>
    public const double Tolerance = 1e-5;

    private const int Steps = 3;

    /// <summary>The largest difference over updates and states, NaN if one engine produced NaN where the other did not.</summary>
    /// <param name="candidate">The engine to check.</param>
    /// <param name="reference">ONNX Runtime.</param>
    /// <param name="contract">The model's contract.</param>
    /// <param name="fingerprint">The model's fingerprint.</param>
    /// <param name="probeLength">Coordinates in the probe batch.</param>
    /// <param name="threshold">Where the candidate believes the preprocessing switches branches; a third of
    /// the probe gradients lie within a factor of two of it, so a misread threshold shows.</param>
    public static double Compare(IStepEngine candidate, IStepEngine reference, OptimizerContract contract, string fingerprint, int probeLength, float threshold)
    {
        var segments = new[] { new ParameterSegment("", 0, probeLength) };
        using var a = new OptimizerState(contract, segments, fingerprint, candidate.Layout);
        using var b = new OptimizerState(contract, segments, fingerprint, reference.Layout);
        var random = new Random(2016);
        for (var s = 0; s < contract.States.Count; s++)
        {
            var values = new float[probeLength * contract.States[s].Width];
            for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
            a.CopyIn(s, 0, probeLength, values);
            b.CopyIn(s, 0, probeLength, values);
        }

        double worst = 0;
        for (var step = 0; step < Steps; step++)
        {
            var grad = ProbeGradients(probeLength, random, threshold);
            grad.CopyTo(a.Gradient.Span);
            grad.CopyTo(b.Gradient.Span);
            // Unchecked: random probe states may give NaN on both sides, which is agreement, not refusal.
            candidate.Step(a, hasNonFinite: false, checkOutputs: false);
            reference.Step(b, hasNonFinite: false, checkOutputs: false);
            worst = Math.Max(worst, Difference(a.Update.Span[..probeLength], b.Update.Span[..probeLength]));
            for (var s = 0; s < contract.States.Count; s++)
                worst = Math.Max(worst, Difference(a.Read(s), b.Read(s)));
            if (double.IsNaN(worst)) return worst;
        }
        return worst;
    }

    private static double Difference(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        double worst = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            // Random probe states can be outside a model's domain (a negative second moment under a
            // square root): both engines giving NaN, or the same infinity, is agreement.
            if (actual[i].Equals(expected[i])) continue;
            var d = Math.Abs((double)actual[i] - expected[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            if (double.IsNaN(d)) return double.NaN;
            worst = Math.Max(worst, d);
        }
        return worst;
    }

    private static float[] ProbeGradients(int count, Random random, float threshold)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var sign = random.Next(2) == 0 ? -1f : 1f;
            values[i] = sign * (i % 6) switch
            {
                0 => 0f,
                1 => threshold * (float)random.NextDouble() * 0.5f,
                2 or 3 => threshold * (float)Math.Exp(random.NextDouble() * 1.4 - 0.7),
                4 => (float)Math.Exp(random.NextDouble() * 10 + 2),
                _ => (float)Math.Exp(random.NextDouble() * 30 - 25),
            };
        }
        return values;
    }
}
