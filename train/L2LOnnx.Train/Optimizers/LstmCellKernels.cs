using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// The elementwise halves of the fused LSTM cell (<see cref="FusedLstmCell"/>) and of the log/sign
/// preprocessing, written as single passes over feature-major [rows, N] float memory: one read and one
/// write per value where libtorch's separate ops each read and write whole [4H, N] tensors.
/// </summary>
/// <remarks>
/// Gate rows are in PyTorch's order (i, f, g, o). Large tensors are split across libtorch's intra-op
/// thread count, by coordinate ranges, so a coordinate's result never depends on the split.
/// </remarks>
internal static unsafe class LstmCellKernels
{
    /// <summary>Coordinates below which a pass runs on one thread: waking a second one costs more.</summary>
    private const long ParallelThreshold = 4_096;

    /// <summary>The first float of a contiguous CPU float32 tensor.</summary>
    public static float* Pointer(Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32 || !tensor.is_contiguous() || tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"expected a contiguous CPU float32 tensor, got {tensor.dtype} [{string.Join(", ", tensor.shape)}] on {tensor.device_type}", nameof(tensor));
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
    }

    /// <summary>
    /// Activates the pre-activation gates in place (sigmoid for i, f, o; tanh for g) and computes
    /// <c>c' = f c + i g</c> and <c>h' = o tanh c'</c>; every array is [H, N] but the gates [4H, N].
    /// </summary>
    public static void Forward(float* gates, float* c, float* nextC, float* nextH, int hidden, long n) =>
        Split(n, (start, end) => ForwardRange(gates, null, c, nextC, nextH, hidden, n, start, end));

    /// <summary>
    /// The cell's backward from the activated gates and the previous and next cell states (tanh c' is
    /// recomputed rather than kept: the next cell state is alive anyway, a copy of its tanh would not be):
    /// the gradients of the pre-activation gates [4H, N] and of the previous cell state [H, N] from those
    /// of h' and c'.
    /// </summary>
    public static void Backward(float* gates, float* c, float* nextC, float* dNextH, float* dNextC, float* dGates, float* dC, int hidden, long n) =>
        Split(n, (start, end) => BackwardRange(gates, c, nextC, dNextH, dNextC, dGates, dC, null, hidden, n, start, end));

    /// <summary>
    /// The paper's log/sign preprocessing of <paramref name="n"/> gradients into features [2, N], with the
    /// constants and operation order of <see cref="GradientPreprocessing.LogSign"/>.
    /// </summary>
    public static void LogSign(float* grad, float* features, long n, float threshold, float p, float smallScale) =>
        Split(n, (start, end) =>
        {
            for (var k = start; k < end; k++)
            {
                var g = grad[k];
                var abs = MathF.Abs(g);
                var large = abs >= threshold;
                features[k] = large ? MathF.Log(MathF.Max(abs, threshold)) / p : -1f;
                features[n + k] = large ? MathF.Sign(g) : g * smallScale;
            }
        });

    private static void Split(long n, Action<long, long> body)
    {
        var parts = n < ParallelThreshold ? 1 : (int)Math.Min(get_num_threads(), n / (ParallelThreshold / 2));
        if (parts <= 1)
        {
            body(0, n);
            return;
        }
        // Whole vectors per part, so the parts' results match a single pass lane for lane.
        var chunk = (n / parts + 7) / 8 * 8;
        Parallel.For(0, parts, part => body(Math.Min(n, part * chunk), Math.Min(n, (part + 1) * chunk)));
    }

    /// <summary>
    /// <see cref="Forward"/> on coordinates [<paramref name="start"/>, <paramref name="end"/>), adding
    /// <paramref name="bias"/> [4H] (or nothing, when null) to the pre-activation gates first.
    /// </summary>
    public static void ForwardRange(float* gates, float* bias, float* c, float* nextC, float* nextH, int hidden, long n, long start, long end)
    {
        var gateStride = hidden * n;
        for (var j = 0; j < hidden; j++)
        {
            var row = j * n;
            float* gi = gates + row, gf = gi + gateStride, gg = gf + gateStride, go = gg + gateStride;
            float bi = 0, bf = 0, bg = 0, bo = 0;
            if (bias != null) (bi, bf, bg, bo) = (bias[j], bias[hidden + j], bias[2 * hidden + j], bias[3 * hidden + j]);
            Vector256<float> vbi = Vector256.Create(bi), vbf = Vector256.Create(bf), vbg = Vector256.Create(bg), vbo = Vector256.Create(bo);
            var k = start;
            for (; k + 8 <= end; k += 8)
            {
                var i = Sigmoid(Vector256.Load(gi + k) + vbi);
                var f = Sigmoid(Vector256.Load(gf + k) + vbf);
                var g = Tanh(Vector256.Load(gg + k) + vbg);
                var o = Sigmoid(Vector256.Load(go + k) + vbo);
                var cNew = Vector256.FusedMultiplyAdd(f, Vector256.Load(c + row + k), i * g);
                var t = Tanh(cNew);
                i.Store(gi + k);
                f.Store(gf + k);
                g.Store(gg + k);
                o.Store(go + k);
                cNew.Store(nextC + row + k);
                (o * t).Store(nextH + row + k);
            }
            for (; k < end; k++)
            {
                var i = Sigmoid(gi[k] + bi);
                var f = Sigmoid(gf[k] + bf);
                var g = MathF.Tanh(gg[k] + bg);
                var o = Sigmoid(go[k] + bo);
                var cNew = MathF.FusedMultiplyAdd(f, c[row + k], i * g);
                var t = MathF.Tanh(cNew);
                gi[k] = i;
                gf[k] = f;
                gg[k] = g;
                go[k] = o;
                nextC[row + k] = cNew;
                nextH[row + k] = o * t;
            }
        }
    }

    /// <summary>
    /// <see cref="Backward"/> on coordinates [<paramref name="start"/>, <paramref name="end"/>); with a
    /// <paramref name="biasGradient"/> [4H], also writes there the sums of the gate gradients over the range.
    /// </summary>
    public static void BackwardRange(float* gates, float* c, float* nextC, float* dNextH, float* dNextC, float* dGates, float* dC,
        float* biasGradient, int hidden, long n, long start, long end)
    {
        var gateStride = hidden * n;
        var one = Vector256<float>.One;
        for (var j = 0; j < hidden; j++)
        {
            var row = j * n;
            float* gi = gates + row, gf = gi + gateStride, gg = gf + gateStride, go = gg + gateStride;
            float* di = dGates + row, df = di + gateStride, dg = df + gateStride, dO = dg + gateStride;
            var k = start;
            for (; k + 8 <= end; k += 8)
            {
                var i = Vector256.Load(gi + k);
                var f = Vector256.Load(gf + k);
                var g = Vector256.Load(gg + k);
                var o = Vector256.Load(go + k);
                var t = Tanh(Vector256.Load(nextC + row + k));
                var dh = Vector256.Load(dNextH + row + k);
                var dc = Vector256.Load(dNextC + row + k);
                // dL/dc' through both paths: directly, and through h' = o tanh c'.
                var dct = Vector256.FusedMultiplyAdd(dh * o, one - t * t, dc);
                (dh * t * o * (one - o)).Store(dO + k);
                (dct * g * i * (one - i)).Store(di + k);
                (dct * i * (one - g * g)).Store(dg + k);
                (dct * Vector256.Load(c + row + k) * f * (one - f)).Store(df + k);
                (dct * f).Store(dC + row + k);
            }
            for (; k < end; k++)
            {
                float i = gi[k], f = gf[k], g = gg[k], o = go[k], t = MathF.Tanh(nextC[row + k]);
                var dh = dNextH[row + k];
                var dc = dNextC[row + k];
                var dct = MathF.FusedMultiplyAdd(dh * o, 1 - t * t, dc);
                dO[k] = dh * t * o * (1 - o);
                di[k] = dct * g * i * (1 - i);
                dg[k] = dct * i * (1 - g * g);
                df[k] = dct * c[row + k] * f * (1 - f);
                dC[row + k] = dct * f;
            }
            if (biasGradient != null)
            {
                biasGradient[j] = Sum(di, start, end);
                biasGradient[hidden + j] = Sum(df, start, end);
                biasGradient[2 * hidden + j] = Sum(dg, start, end);
                biasGradient[3 * hidden + j] = Sum(dO, start, end);
            }
        }
    }

    /// <summary>The sum of <paramref name="values"/>[start, end), in a fixed order (so runs agree to the bit).</summary>
    private static float Sum(float* values, long start, long end)
    {
        var sum = Vector256<float>.Zero;
        var k = start;
        for (; k + 8 <= end; k += 8) sum += Vector256.Load(values + k);
        var total = Vector256.Sum(sum);
        for (; k < end; k++) total += values[k];
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));

    /// <summary>1 - 2 / (e^2x + 1): exact limits ±1 (e^2x overflowing to infinity gives 1), absolute error about 1e-7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Tanh(Vector256<float> x) =>
        Vector256<float>.One - Vector256.Create(2f) / (Vector256.Exp(x + x) + Vector256<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
