namespace L2LOnnx.Runtime;

/// <summary>
/// How an <see cref="OptimizerState"/> stores its [N, S] tensors in native memory, chosen by the engine
/// that steps it. Invisible to users: <see cref="OptimizerState.Read(int)"/>, checkpoints and the
/// contract always see row-major [N, S].
/// </summary>
/// <param name="BlockWidth">0 for row-major [N, S]; otherwise coordinates per block of the blocked
/// layout [N / BlockWidth][S][BlockWidth], N padded up to a whole block.</param>
/// <param name="DoubleBuffered">Whether a step writes a second set of buffers (ONNX Runtime) instead of
/// updating in place (fused engine).</param>
internal readonly record struct StateLayout(int BlockWidth, bool DoubleBuffered)
{
    /// <summary>ONNX Runtime's layout.</summary>
    public static StateLayout RowMajorDoubleBuffered => new(0, true);

    /// <summary>N rounded up to a whole block.</summary>
    public long PaddedLength(int length) => BlockWidth == 0 ? length : ((long)length + BlockWidth - 1) / BlockWidth * BlockWidth;

    /// <summary>Index of element (coordinate, unit) of a state of width <paramref name="width"/>.</summary>
    public long IndexOf(long coordinate, int unit, int width) => BlockWidth == 0
        ? coordinate * width + unit
        : ((coordinate / BlockWidth) * width + unit) * BlockWidth + coordinate % BlockWidth;
}
