using System.Numerics;

namespace L2LOnnx.Runtime.Engines;

/// <summary>
/// Finds NaN and infinities in gradients and in what a step computed. The scans are vectorised and
/// allocate nothing while everything is finite; describing a bad value (only when a step is refused)
/// may allocate.
/// </summary>
internal static class OutputCheck
{
    /// <summary>Coordinates checked per span, so that N x S beyond 2^31 floats is checked in pieces.</summary>
    private const int ChunkCoordinates = 1 << 14;

    /// <summary>Index of the first NaN or infinity, or -1.</summary>
    public static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // x - x is 0 for finite x and NaN for NaN or infinity, so one compare finds both.
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values.Slice(i));
                if (!Vector.EqualsAll(v - v, Vector<float>.Zero)) break;
            }
        }
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>
    /// The first non-finite value of a step's outputs, described (e.g. <c>update[3] is NaN</c>), or
    /// null: the update of the N coordinates, then each next state (the back buffers of a
    /// double-buffered state, the current ones of a state updated in place), coordinates [0, N) only.
    /// Allocates nothing when all are finite and the layout is row-major.
    /// </summary>
    public static string? FindInOutputs(OptimizerState state)
    {
        var update = state.Update.Span[..state.Length];
        var bad = IndexOfNonFinite(update);
        if (bad >= 0) return $"update[{bad}] is {update[bad]}";
        for (var s = 0; s < state.Specs.Count; s++)
        {
            var width = state.Specs[s].Width;
            var values = state.Layout.DoubleBuffered ? state.Next(s) : state.Current(s);
            float[]? rows = null;
            for (long first = 0; first < state.Length; first += ChunkCoordinates)
            {
                var count = (int)Math.Min(ChunkCoordinates, state.Length - first);
                ReadOnlySpan<float> chunk;
                if (state.Layout.BlockWidth == 0)
                {
                    chunk = values.Slice(first * width, count * width);
                }
                else
                {
                    rows ??= new float[(long)Math.Min(ChunkCoordinates, state.Length) * width];
                    state.CopyOut(s, first, count, rows, next: state.Layout.DoubleBuffered);
                    chunk = rows.AsSpan(0, count * width);
                }
                var index = IndexOfNonFinite(chunk);
                if (index >= 0) return $"state '{state.Specs[s].OutputName}' at coordinate {first + index / width} is {chunk[index]}";
            }
        }
        return null;
    }
}
