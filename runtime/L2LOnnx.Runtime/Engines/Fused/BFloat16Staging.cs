using System.Numerics;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// Converts a chunk's bfloat16 state to float32 for the kernels and back (rounded to nearest even),
/// a vector at a time. Counts are multiples of a block, hence of <see cref="Vector{T}"/> of ushort.
/// </summary>
internal static unsafe class BFloat16Staging
{
    public static void Decode(ushort* source, float* destination, long count)
    {
        var step = Vector<ushort>.Count;
        for (long i = 0; i < count; i += step)
        {
            Vector.Widen(Vector.Load(source + i), out var low, out var high);
            Vector.AsVectorSingle(low << 16).Store(destination + i);
            Vector.AsVectorSingle(high << 16).Store(destination + i + step / 2);
        }
    }

    /// <summary>
    /// Encodes <paramref name="count"/> floats; returns whether every encoded value is finite (a float
    /// just below float.MaxValue rounds to bfloat16 infinity, so the check is on what is stored).
    /// </summary>
    public static bool Encode(float* source, ushort* destination, long count)
    {
        var step = Vector<ushort>.Count;
        var exponent = new Vector<ushort>(0x7F80);
        var nonFinite = Vector<ushort>.Zero;
        for (long i = 0; i < count; i += step)
        {
            var encoded = Vector.Narrow(Round(Vector.Load(source + i)), Round(Vector.Load(source + i + step / 2)));
            encoded.Store(destination + i);
            // All exponent bits set: infinity or NaN.
            nonFinite |= Vector.Equals(encoded & exponent, exponent);
        }
        return nonFinite == Vector<ushort>.Zero;
    }

    private static Vector<uint> Round(Vector<float> value)
    {
        var bits = Vector.AsVectorUInt32(value);
        return (bits + new Vector<uint>(0x7FFF) + ((bits >> 16) & Vector<uint>.One)) >> 16;
    }
}
