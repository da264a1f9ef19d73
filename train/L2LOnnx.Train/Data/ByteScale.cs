namespace L2LOnnx.Train.Data;

/// <summary>
/// The one conversion between 8-bit pixels and [0, 1] floats, so that every reader produces identical
/// values for identical bytes and every writer recovers the bytes exactly.
/// </summary>
internal static class ByteScale
{
    /// <summary><c>ToUnit[k] == k / 255f</c>.</summary>
    public static readonly float[] ToUnit = CreateTable();

    /// <summary>The byte whose scaled value is nearest to <paramref name="value"/> (clamped to [0, 255]).</summary>
    public static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value * 255f), 0f, 255f);

    private static float[] CreateTable()
    {
        var table = new float[256];
        for (int k = 0; k < table.Length; k++)
            table[k] = k / 255f;
        return table;
    }
}
