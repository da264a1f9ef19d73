using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// The elementwise halves of the fused optimizer step (<see cref="FusedLstmStep"/>), of the fused LSTM
/// cell (<see cref="FusedLstmCell"/>) and of the log/sign
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
        Split(n, (start, end) => ForwardRange(gates, null, null, c, nextC, nextH, hidden, n, start, end));

    /// <summary>
    /// The cell's backward from the activated gates and the previous and next cell states (tanh c' is
    /// recomputed rather than kept: the next cell state is alive anyway, a copy of its tanh would not be):
    /// the gradients of the pre-activation gates [4H, N] and of the previous cell state [H, N] from those
    /// of h' and c'.
    /// </summary>
    public static void Backward(float* gates, float* c, float* nextC, float* dNextH, float* dNextC, float* dGates, float* dC, int hidden, long n) =>
        Split(n, (start, end) => BackwardRange(gates, c, nextC, dNextH, n, dNextC, dGates, n, dC, null, hidden, n, start, end));

    /// <summary>
    /// The paper's log/sign preprocessing of <paramref name="n"/> gradients into features [2, N], with the
    /// constants and operation order of <see cref="GradientPreprocessing.LogSign"/>.
    /// </summary>
    public static void LogSign(float* grad, float* features, long n, float threshold, float p, float smallScale) =>
        Split(n, (start, end) => LogSignRange(grad, features, n, threshold, p, smallScale, start, end));

    /// <summary><see cref="LogSign"/> on coordinates [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static void LogSignRange(float* grad, float* features, long n, float threshold, float p, float smallScale, long start, long end)
    {
        for (var k = start; k < end; k++)
        {
            var g = grad[k];
            var abs = MathF.Abs(g);
            var large = abs >= threshold;
            features[k] = large ? MathF.Log(MathF.Max(abs, threshold)) / p : -1f;
            features[n + k] = large ? MathF.Sign(g) : g * smallScale;
        }
    }

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
    /// the biases <paramref name="inputBias"/> and <paramref name="hiddenBias"/> [4H] (each may be null)
    /// to the pre-activation gates first.
    /// </summary>
    public static void ForwardRange(float* gates, float* inputBias, float* hiddenBias, float* c, float* nextC, float* nextH, int hidden, long n, long start, long end)
    {
        var gateStride = hidden * n;
        for (var j = 0; j < hidden; j++)
        {
            var row = j * n;
            float* gi = gates + row, gf = gi + gateStride, gg = gf + gateStride, go = gg + gateStride;
            float bi = Bias(inputBias, hiddenBias, j), bf = Bias(inputBias, hiddenBias, hidden + j);
            float bg = Bias(inputBias, hiddenBias, 2 * hidden + j), bo = Bias(inputBias, hiddenBias, 3 * hidden + j);
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
    /// Rows of <paramref name="dNextH"/> and <paramref name="dGates"/> are <paramref name="dNextHStride"/>
    /// and <paramref name="dGatesStride"/> floats apart (scratch blocks: pass the pointer less start).
    /// </summary>
    public static void BackwardRange(float* gates, float* c, float* nextC, float* dNextH, long dNextHStride, float* dNextC, float* dGates, long dGatesStride,
        float* dC, float* biasGradient, int hidden, long n, long start, long end)
    {
        var gateStride = hidden * n;
        var one = Vector256<float>.One;
        for (var j = 0; j < hidden; j++)
        {
            var row = j * n;
            float* gi = gates + row, gf = gi + gateStride, gg = gf + gateStride, go = gg + gateStride;
            float* di = dGates + j * dGatesStride, df = di + hidden * dGatesStride, dg = df + hidden * dGatesStride, dO = dg + hidden * dGatesStride;
            var dhRow = dNextH + j * dNextHStride;
            var k = start;
            for (; k + 8 <= end; k += 8)
            {
                var i = Vector256.Load(gi + k);
                var f = Vector256.Load(gf + k);
                var g = Vector256.Load(gg + k);
                var o = Vector256.Load(go + k);
                var t = Tanh(Vector256.Load(nextC + row + k));
                var dh = Vector256.Load(dhRow + k);
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
                var dh = dhRow[k];
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

    /// <summary>
    /// Adds <c>W x</c> to the pre-activation gates [rows, N] on coordinates [<paramref name="start"/>,
    /// <paramref name="end"/>), for an input x [inputs, N] of a few rows (the preprocessed gradient) with
    /// W [rows, inputs]: as a product its depth would be 1 or 2, where a matrix-product library spends
    /// more on clearing and packing than on the arithmetic.
    /// </summary>
    public static void AddInputRange(float* gates, int rows, float* weights, float* x, int inputs, long n, long start, long end)
    {
        for (var r = 0; r < rows; r++)
        {
            float* row = gates + r * n, w = weights + r * inputs;
            for (var i = 0; i < inputs; i++)
            {
                var wi = w[i];
                var vw = Vector256.Create(wi);
                float* xi = x + i * n;
                var k = start;
                for (; k + 8 <= end; k += 8) Vector256.FusedMultiplyAdd(vw, Vector256.Load(xi + k), Vector256.Load(row + k)).Store(row + k);
                for (; k < end; k++) row[k] = MathF.FusedMultiplyAdd(wi, xi[k], row[k]);
            }
        }
    }

    /// <summary>
    /// The share of coordinates [<paramref name="start"/>, <paramref name="end"/>) in <c>dW = dz x^T</c>
    /// [rows, inputs] for the few-row inputs of <see cref="AddInputRange"/>; rows of
    /// <paramref name="dGates"/> are <paramref name="dGatesStride"/> floats apart and indexed by coordinate.
    /// </summary>
    public static void InputWeightGradientRange(float* dGates, long dGatesStride, int rows, float* x, int inputs, long n, float* share, long start, long end)
    {
        for (var r = 0; r < rows; r++)
            for (var i = 0; i < inputs; i++)
                share[r * inputs + i] = Dot(dGates + r * dGatesStride, x + i * n, start, end);
    }

    private static float Dot(float* a, float* b, long start, long end)
    {
        var sum = Vector256<float>.Zero;
        var k = start;
        for (; k + 8 <= end; k += 8) sum = Vector256.FusedMultiplyAdd(Vector256.Load(a + k), Vector256.Load(b + k), sum);
        var total = Vector256.Sum(sum);
        for (; k < end; k++) total = MathF.FusedMultiplyAdd(a[k], b[k], total);
        return total;
    }

    /// <summary>
    /// The output layer on coordinates [<paramref name="start"/>, <paramref name="end"/>):
    /// <c>update = scale (w h + b)</c> from the top layer's h [H, N] and the weights w [H].
    /// </summary>
    public static void OutputRange(float* h, float* weight, float bias, float scale, float* update, int hidden, long n, long start, long end)
    {
        var k = start;
        for (; k + 8 <= end; k += 8)
        {
            var sum = Vector256.Create(bias);
            for (var j = 0; j < hidden; j++) sum = Vector256.FusedMultiplyAdd(Vector256.Create(weight[j]), Vector256.Load(h + j * n + k), sum);
            (sum * scale).Store(update + k);
        }
        for (; k < end; k++)
        {
            var sum = bias;
            for (var j = 0; j < hidden; j++) sum = MathF.FusedMultiplyAdd(weight[j], h[j * n + k], sum);
            update[k] = sum * scale;
        }
    }

    /// <summary>
    /// The output layer's backward on coordinates [<paramref name="start"/>, <paramref name="end"/>): the top
    /// layer's h' gradient <c>dNextH + scale w^T dUpdate</c> into <paramref name="dh"/> (rows
    /// <paramref name="dhStride"/> apart, indexed by coordinate), and the range's share of the output
    /// weights' gradient [H] and bias gradient [1] into <paramref name="share"/>.
    /// </summary>
    public static void OutputBackwardRange(float* h, float* weight, float scale, float* dUpdate, float* dNextH, float* dh, long dhStride, float* share,
        int hidden, long n, long start, long end)
    {
        for (var j = 0; j < hidden; j++)
        {
            var w = weight[j] * scale;
            float* hRow = h + j * n, dNextRow = dNextH + j * n, dhRow = dh + j * dhStride;
            var dw = Vector256<float>.Zero;
            var k = start;
            for (; k + 8 <= end; k += 8)
            {
                var du = Vector256.Load(dUpdate + k);
                Vector256.FusedMultiplyAdd(Vector256.Create(w), du, Vector256.Load(dNextRow + k)).Store(dhRow + k);
                dw = Vector256.FusedMultiplyAdd(du, Vector256.Load(hRow + k), dw);
            }
            var total = Vector256.Sum(dw);
            for (; k < end; k++)
            {
                dhRow[k] = MathF.FusedMultiplyAdd(w, dUpdate[k], dNextRow[k]);
                total = MathF.FusedMultiplyAdd(dUpdate[k], hRow[k], total);
            }
            share[j] = total * scale;
        }
        share[hidden] = Sum(dUpdate, start, end) * scale;
    }

    private static float Bias(float* inputBias, float* hiddenBias, int row) =>
        (inputBias == null ? 0 : inputBias[row]) + (hiddenBias == null ? 0 : hiddenBias[row]);

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
