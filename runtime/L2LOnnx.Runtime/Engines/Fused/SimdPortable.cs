using System.Numerics;
using System.Runtime.CompilerServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// <see cref="Vector{T}"/> of whatever width the machine offers (NEON on ARM, SSE or AVX on x86): the
/// fallback when neither AVX-512 nor AVX2 is available.
/// </summary>
internal readonly unsafe struct SimdPortable : ISimd<Vector<float>>
{
    public static int Lanes => Vector<float>.Count;

    public static string Name => $"Vector<T> ({Vector<float>.Count} lanes)";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Load(float* source) => Vector.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* destination, Vector<float> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreNonTemporal(float* destination, Vector<float> value) => value.StoreAlignedNonTemporal(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> LoadBFloat16(ushort* source)
    {
        // Vector<T> has no half-width type to widen from; a lane at a time keeps the read in bounds.
        var bits = stackalloc uint[Vector<uint>.Count];
        for (var i = 0; i < Vector<uint>.Count; i++) bits[i] = (uint)source[i] << 16;
        return Vector.AsVectorSingle(Vector.Load(bits));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBFloat16(ushort* destination, Vector<float> value)
    {
        for (var i = 0; i < Vector<float>.Count; i++) destination[i] = StateLayout.ToBFloat16(value[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Splat(float value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Add(Vector<float> a, Vector<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Subtract(Vector<float> a, Vector<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Multiply(Vector<float> a, Vector<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Divide(Vector<float> a, Vector<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) => Vector.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Max(Vector<float> a, Vector<float> b) => Vector.MaxNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Min(Vector<float> a, Vector<float> b) => Vector.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Abs(Vector<float> a) => Vector.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Log(Vector<float> a) => Vector.Log(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Round(Vector<float> a) => Vector.Round(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> ScaleByPowerOfTwo(Vector<float> a, Vector<float> k) =>
        a * Vector.AsVectorSingle(Vector.ShiftLeft(Vector.ConvertToInt32(k) + new Vector<int>(127), 23));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Reciprocal(Vector<float> a) => Vector<float>.One / a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> GreaterThanOrEqual(Vector<float> a, Vector<float> b) => Vector.AsVectorSingle(Vector.GreaterThanOrEqual(a, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> GreaterThan(Vector<float> a, Vector<float> b) => Vector.AsVectorSingle(Vector.GreaterThan(a, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Equal(Vector<float> a, Vector<float> b) => Vector.AsVectorSingle(Vector.Equals(a, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sqrt(Vector<float> a) => Vector.SquareRoot(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Sign(Vector<float> a) =>
        (Vector.AsVectorSingle(Vector.GreaterThan(a, Vector<float>.Zero)) & Vector<float>.One) -
        (Vector.AsVectorSingle(Vector.LessThan(a, Vector<float>.Zero)) & Vector<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Select(Vector<float> mask, Vector<float> whenTrue, Vector<float> whenFalse) =>
        Vector.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> FiniteMask(Vector<float> a) => Vector.AsVectorSingle(Vector.Equals(a - a, Vector<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllFinite(Vector<float> a) => Vector.EqualsAll(a - a, Vector<float>.Zero);
}
