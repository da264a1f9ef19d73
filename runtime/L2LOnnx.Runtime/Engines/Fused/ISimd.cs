namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// The few vector operations the fused kernel needs, over one vector type. The kernel is written once,
/// generic over an implementation of this interface; the JIT compiles a separate copy per vector width
/// (AVX-512, AVX/AVX2, portable <see cref="System.Numerics.Vector{T}"/>) with every call inlined.
/// </summary>
/// <typeparam name="TVec">The vector type, e.g. <c>Vector512&lt;float&gt;</c>.</typeparam>
internal unsafe interface ISimd<TVec> where TVec : unmanaged
{
    /// <summary>Floats per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>Short name for engine descriptions, e.g. <c>AVX-512</c>.</summary>
    static abstract string Name { get; }

    static abstract TVec Load(float* source);

    static abstract void Store(float* destination, TVec value);

    /// <summary>
    /// Stores past the caches (no read of the line first), to an address aligned to the vector size;
    /// <see cref="FenceStreamingStores"/> before other threads read it.
    /// </summary>
    static abstract void StoreNonTemporal(float* destination, TVec value);

    /// <summary>Loads one vector's worth of bfloat16 values, widened to float.</summary>
    static abstract TVec LoadBFloat16(ushort* source);

    /// <summary>Stores one vector as bfloat16, rounded to nearest even.</summary>
    static abstract void StoreBFloat16(ushort* destination, TVec value);

    static abstract TVec Splat(float value);

    static abstract TVec Add(TVec a, TVec b);

    static abstract TVec Subtract(TVec a, TVec b);

    static abstract TVec Multiply(TVec a, TVec b);

    static abstract TVec Divide(TVec a, TVec b);

    /// <summary><c>a * b + c</c> with one rounding.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>Maximum with the hardware's NaN rules (inputs here are never NaN where it matters).</summary>
    static abstract TVec Max(TVec a, TVec b);

    static abstract TVec Min(TVec a, TVec b);

    static abstract TVec Abs(TVec a);

    /// <summary>Natural logarithm, accurate to a few units in the last place.</summary>
    static abstract TVec Log(TVec a);

    /// <summary>Rounds to the nearest integer, ties to even.</summary>
    static abstract TVec Round(TVec a);

    /// <summary><c>a * 2^k</c> for integral <paramref name="k"/> in [-126, 127].</summary>
    static abstract TVec ScaleByPowerOfTwo(TVec a, TVec k);

    /// <summary><c>1 / a</c> to about 23 bits (hardware estimate refined by Newton's method where available).</summary>
    static abstract TVec Reciprocal(TVec a);

    /// <summary>All bits set in lanes where <c>a &gt;= b</c>, else zero.</summary>
    static abstract TVec GreaterThanOrEqual(TVec a, TVec b);

    /// <summary>All bits set in lanes where <c>a &gt; b</c>, else zero.</summary>
    static abstract TVec GreaterThan(TVec a, TVec b);

    /// <summary>All bits set in lanes where <c>a == b</c>, else zero.</summary>
    static abstract TVec Equal(TVec a, TVec b);

    /// <summary>Square root, correctly rounded.</summary>
    static abstract TVec Sqrt(TVec a);

    /// <summary>-1, 0 or 1 by the sign of each lane (0 for ±0), as ONNX <c>Sign</c>.</summary>
    static abstract TVec Sign(TVec a);

    /// <summary>Lanes of <paramref name="whenTrue"/> where <paramref name="mask"/> is all ones, else of <paramref name="whenFalse"/>.</summary>
    static abstract TVec Select(TVec mask, TVec whenTrue, TVec whenFalse);

    /// <summary>All bits set in lanes that are finite (not NaN, not infinite).</summary>
    static abstract TVec FiniteMask(TVec a);

    /// <summary>Whether every lane is finite.</summary>
    static abstract bool AllFinite(TVec a);

    /// <summary>Orders this thread's <see cref="StoreNonTemporal"/> stores before its later stores (sfence).</summary>
    static virtual void FenceStreamingStores()
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.StoreFence();
        else Thread.MemoryBarrier();
    }
}
