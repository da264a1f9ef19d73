namespace L2LOnnx.Runtime;

/// <summary>
/// How an <see cref="OptimizerState"/> stores its [N, S] tensors in native memory, chosen by the engine
/// that steps it. Invisible to users: <see cref="OptimizerState.Read(int)"/>, checkpoints and the
/// contract always see row-major [N, S].
/// </summary>
/// <param name="BlockWidth">0 for row-major [N, S]; otherwise coordinates per block of the blocked
/// layout [N / BlockWidth][S][BlockWidth], N padded up to a whole block.</param>
/// <param name="DoubleBuffered">Whether a step writes a second set of buffers and swaps (ONNX Runtime,
/// and the fused engine with the output check) instead of updating in place (the fused engine without
/// it): a refused step is one that does not swap.</param>
/// <param name="BFloat16">Whether values are stored as bfloat16 (two per float of the buffer), fused engine only.</param>
internal readonly record struct StateLayout(int BlockWidth, bool DoubleBuffered, bool BFloat16 = false)
{
    /// <summary>ONNX Runtime's layout.</summary>
    public static StateLayout RowMajorDoubleBuffered => new(0, true);

    /// <summary>N rounded up to a whole block.</summary>
    public long PaddedLength(int length) => BlockWidth == 0 ? length : ((long)length + BlockWidth - 1) / BlockWidth * BlockWidth;

    /// <summary>Index of element (coordinate, unit) of a state of width <paramref name="width"/>.</summary>
    public long IndexOf(long coordinate, int unit, int width) => BlockWidth == 0
        ? coordinate * width + unit
        : ((coordinate / BlockWidth) * width + unit) * BlockWidth + coordinate % BlockWidth;

    /// <summary>Floats of buffer that hold <paramref name="values"/> values.</summary>
    public long BufferFloats(long values) => BFloat16 ? (values + 1) / 2 : values;

    /// <summary>bfloat16 to float: the 16 bits are float32's upper half.</summary>
    public static float FromBFloat16(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>float to bfloat16, rounded to nearest even (NaN stays NaN).</summary>
    public static ushort ToBFloat16(float value)
    {
        if (float.IsNaN(value)) return 0x7FC0;
        var bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }
}
