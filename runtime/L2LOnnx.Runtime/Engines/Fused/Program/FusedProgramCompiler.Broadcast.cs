namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>Numpy broadcasting with a symbolic N, and constants laid out over a result's features.</summary>
internal sealed partial class FusedProgramCompiler
{
    /// <summary>The broadcast shape of two shapes, N broadcasting only against 1 or N.</summary>
    private long[] BroadcastDims(long[] a, long[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            var y = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (x == y || y == 1) result[i] = x;
            else if (x == 1) result[i] = y;
            else throw Decline(x == ProgramValue.N || y == ProgramValue.N
                ? "broadcasts the coordinate axis against a fixed dimension, which mixes coordinates"
                : $"has operands whose dimensions {x} and {y} do not broadcast");
        }
        return result;
    }

    /// <summary>
    /// A constant broadcast over the features of a result of shape <paramref name="dims"/>: one value
    /// per feature (row-major), or a single value when the constant is the same for all.
    /// </summary>
    private float[] Materialise(ConstantValue constant, long[] dims)
    {
        var values = Floats(constant);
        if (values.Length == 1) return values;
        var axis = Array.IndexOf(dims, ProgramValue.N);
        var features = dims[(axis + 1)..];
        var offset = dims.Length - constant.Dims.Length;
        for (var i = 0; i < constant.Dims.Length; i++)
            if (i + offset <= axis && constant.Dims[i] != 1)
                throw Decline("has a constant that varies along the coordinate axis");
        var count = (int)features.Aggregate(1L, (p, q) => p * q);
        var result = new float[count];
        for (var f = 0; f < count; f++) result[f] = values[SourceIndex(f, dims, constant.Dims)];
        return result;
    }

    /// <summary>A constant broadcast to the full shape <paramref name="dims"/> (constants only).</summary>
    private float[] Expand(ConstantValue constant, long[] dims)
    {
        var values = Floats(constant);
        var count = dims.Aggregate(1L, (p, q) => p * q);
        if (count > 1 << 20) throw Decline("folds a constant of more than a million elements");
        var result = new float[count];
        for (var f = 0; f < count; f++) result[f] = values[SourceIndex(f, dims, constant.Dims)];
        return result;
    }

    /// <summary>
    /// The element of a tensor of shape <paramref name="source"/> that broadcasts to element
    /// <paramref name="flat"/> of the trailing dimensions of <paramref name="target"/> (those after N,
    /// or all when there is no N).
    /// </summary>
    private static int SourceIndex(long flat, long[] target, long[] source)
    {
        long index = 0, stride = 1;
        var offset = target.Length - source.Length;
        for (var i = target.Length - 1; i >= 0 && target[i] != ProgramValue.N; i--)
        {
            var digit = flat % target[i];
            flat /= target[i];
            var j = i - offset;
            if (j < 0) continue;
            if (source[j] != 1) index += digit * stride;
            stride *= source[j];
        }
        return (int)index;
    }

    private float[] Floats(ConstantValue constant) =>
        constant.Floats ?? constant.Integers?.Select(v => (float)v).ToArray() ?? throw Decline("has an empty constant");
}
