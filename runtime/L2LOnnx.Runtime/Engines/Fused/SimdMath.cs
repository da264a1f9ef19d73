using System.Runtime.CompilerServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>The transcendental functions the fused kernels share, over any vector width.</summary>
internal static class SimdMath<TVec, TSimd>
    where TVec : unmanaged
    where TSimd : ISimd<TVec>
{
    /// <summary>1 / (1 + e^-x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Sigmoid(TVec x) => TSimd.Reciprocal(TSimd.Add(TSimd.Splat(1f), Exp(TSimd.Subtract(TSimd.Splat(0f), x))));

    /// <summary>1 - 2 / (e^2x + 1): exact limits ±1, absolute error about 1e-7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Tanh(TVec x)
    {
        var e = Exp(TSimd.Add(x, x));
        return TSimd.MultiplyAdd(TSimd.Splat(-2f), TSimd.Reciprocal(TSimd.Add(e, TSimd.Splat(1f))), TSimd.Splat(1f));
    }

    /// <summary>
    /// e^x: x = k ln2 + r with |r| &lt;= ln2 / 2 (Cody-Waite split of ln 2), e^r by a degree-5
    /// polynomial fitted for relative error on that interval (at most 1.7e-7 in float32 arithmetic,
    /// against 1.2e-7 for float32 rounding itself), times 2^k. Inputs are clamped to [-87, 88], where
    /// the sigmoid and tanh built on it have long saturated; NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Exp(TVec x)
    {
        // Constants first: the hardware max and min return their second operand on NaN, so NaN stays NaN
        // (as in ONNX Runtime) instead of being clamped into a number that a later check would accept.
        x = TSimd.Min(TSimd.Splat(88f), TSimd.Max(TSimd.Splat(-87f), x));
        var k = TSimd.Round(TSimd.Multiply(x, TSimd.Splat(1.44269504f)));
        var r = TSimd.MultiplyAdd(k, TSimd.Splat(-0.693359375f), x);
        r = TSimd.MultiplyAdd(k, TSimd.Splat(2.12194440e-4f), r);
        var p = TSimd.Splat(0.008290285244584084f);
        p = TSimd.MultiplyAdd(p, r, TSimd.Splat(0.041897889226675034f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Splat(0.1666763573884964f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Splat(0.4999915063381195f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Splat(0.9999997019767761f));
        p = TSimd.MultiplyAdd(p, r, TSimd.Splat(1f));
        return TSimd.ScaleByPowerOfTwo(p, k);
    }

    /// <summary>
    /// e^x over the whole float range, as ONNX <c>Exp</c>: <see cref="Exp"/> where it is finite, +inf
    /// above ln(float.MaxValue) and 0 below the smallest normal result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpFullRange(TVec x)
    {
        var e = Exp(x);
        e = TSimd.Select(TSimd.GreaterThan(x, TSimd.Splat(88.72283f)), TSimd.Splat(float.PositiveInfinity), e);
        return TSimd.Select(TSimd.GreaterThan(TSimd.Splat(-87.33654f), x), TSimd.Splat(0f), e);
    }
}
