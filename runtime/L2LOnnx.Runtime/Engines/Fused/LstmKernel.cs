using System.Runtime.CompilerServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// The fused LSTM-optimizer step over blocks of coordinates, written once for any vector width.
/// </summary>
/// <remarks>
/// <para>
/// Layout: a block holds <see cref="BlockWidth"/> coordinates (two vectors); every state tensor
/// [N, H] is stored block by block as [block][H][lanes], so one hidden unit of a whole block is two
/// aligned vectors and the kernel never transposes. Coordinates are the SIMD lanes: every coordinate
/// runs the identical instruction sequence, which is why a coordinate's result does not depend on the
/// block, chunk, thread or split it is processed in.
/// </para>
/// <para>
/// Per block and layer the gate pre-activations [4H][lanes] are one small matrix product
/// (4H x (in + H)) · (in + H) x lanes, computed in register tiles of 8 gate rows x 2 vectors, then the
/// cell update runs on the gates while they are still in L1.
/// </para>
/// </remarks>
internal static unsafe class LstmKernel<TVec, TSimd>
    where TVec : unmanaged
    where TSimd : ISimd<TVec>
{
    /// <summary>Coordinates per block: two vectors.</summary>
    public static int BlockWidth => 2 * TSimd.Lanes;

    /// <summary>Floats of scratch one participant needs: features [2][L], gates [rows][L].</summary>
    public static int ScratchFloats(int maxPaddedRows) => (2 + maxPaddedRows) * BlockWidth;

    /// <summary>
    /// Steps blocks [<paramref name="firstBlock"/>, <paramref name="endBlock"/>) of one state. Returns
    /// whether every value it stored (next state and update) is finite.
    /// </summary>
    [SkipLocalsInit]
    public static bool Run(KernelArguments* args, int firstBlock, int endBlock, float* scratch)
    {
        var lanes = TSimd.Lanes;
        var width = BlockWidth;
        var plan = (FusedPlan*)args->Plan;
        var features = scratch;
        var gates = scratch + 2 * width;
        var zero = TSimd.Splat(0f);
        // Sum of value x 0 over every stored value: stays 0 while all are finite, NaN from the first
        // infinity or NaN on; one FMA per stored vector.
        var nonFinite = zero;
        // The cells (not h, which the next layer and the output read at once) go past the caches.
        var stream = args->StreamNextStates != 0;
        for (var block = firstBlock; block < endBlock; block++)
        {
            var grad = args->Gradient + (long)block * width;
            var g0 = TSimd.Load(grad);
            var g1 = TSimd.Load(grad + lanes);
            var allFinite = TSimd.AllFinite(g0) & TSimd.AllFinite(g1);
            var mask0 = TSimd.FiniteMask(g0);
            var mask1 = TSimd.FiniteMask(g1);
            if (!allFinite)
            {
                // Step the bad lanes on a zero gradient, then keep their old state and give them no update.
                g0 = TSimd.Select(mask0, g0, TSimd.Splat(0f));
                g1 = TSimd.Select(mask1, g1, TSimd.Splat(0f));
            }
            Preprocess(plan, g0, features);
            Preprocess(plan, g1, features + lanes);

            var x = features;
            var inputs = plan->InputSize;
            for (var l = 0; l < plan->LayerCount; l++)
            {
                var layer = plan->Layers + l;
                var hidden = layer->HiddenSize;
                var offset = (long)block * hidden * width;
                var h = args->States[layer->HState] + offset;
                Gates(layer, x, inputs, h, gates);
                var hNext = args->NextStates[layer->HState] + offset;
                nonFinite = TSimd.Add(nonFinite, Cells(hidden, gates, h, args->States[layer->CState] + offset, hNext, args->NextStates[layer->CState] + offset, allFinite, mask0, mask1, stream));
                x = hNext;
                inputs = hidden;
            }

            var update = args->Update + (long)block * width;
            var u0 = Output(plan, x, inputs);
            var u1 = Output(plan, x + lanes, inputs);
            if (!allFinite)
            {
                u0 = TSimd.Select(mask0, u0, TSimd.Splat(0f));
                u1 = TSimd.Select(mask1, u1, TSimd.Splat(0f));
            }
            TSimd.Store(update, u0);
            TSimd.Store(update + lanes, u1);
            nonFinite = TSimd.MultiplyAdd(u0, zero, TSimd.MultiplyAdd(u1, zero, nonFinite));
        }
        if (stream) TSimd.FenceStreamingStores();
        return TSimd.AllFinite(nonFinite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Preprocess(FusedPlan* plan, TVec g, float* features)
    {
        if (plan->InputSize == 1)
        {
            TSimd.Store(features, g);
            return;
        }
        // Same operations and constants as the graph: Where(|g| >= T, Log(Max(|g|, T)) / p, -1) and
        // Where(|g| >= T, Sign(g), g * e^p).
        var threshold = TSimd.Splat(plan->Threshold);
        var abs = TSimd.Abs(g);
        var large = TSimd.GreaterThanOrEqual(abs, threshold);
        var log = TSimd.Divide(TSimd.Log(TSimd.Max(abs, threshold)), TSimd.Splat(plan->P));
        TSimd.Store(features, TSimd.Select(large, log, TSimd.Splat(plan->MinusOne)));
        TSimd.Store(features + BlockWidth, TSimd.Select(large, TSimd.Sign(g), TSimd.Multiply(g, TSimd.Splat(plan->SmallScale))));
    }

    /// <summary>gates[r][0..L) = bias[r] + Σ_k W[r][k] x[k] + Σ_k R[r][k] h[k], eight rows at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gates(LayerPlan* layer, float* x, int inputs, float* h, float* gates)
    {
        var lanes = TSimd.Lanes;
        var width = 2 * lanes;
        var hidden = layer->HiddenSize;
        var columns = inputs + hidden;
        for (var tile = 0; tile < layer->PaddedRows; tile += 8)
        {
            var w = layer->Weights + (long)tile * columns;
            var bias = layer->Bias + tile;
            TVec a00 = TSimd.Splat(bias[0]), a01 = a00;
            TVec a10 = TSimd.Splat(bias[1]), a11 = a10;
            TVec a20 = TSimd.Splat(bias[2]), a21 = a20;
            TVec a30 = TSimd.Splat(bias[3]), a31 = a30;
            TVec a40 = TSimd.Splat(bias[4]), a41 = a40;
            TVec a50 = TSimd.Splat(bias[5]), a51 = a50;
            TVec a60 = TSimd.Splat(bias[6]), a61 = a60;
            TVec a70 = TSimd.Splat(bias[7]), a71 = a70;
            var source = x;
            var count = inputs;
            for (var part = 0; part < 2; part++)
            {
                for (var k = 0; k < count; k++, w += 8)
                {
                    var row = source + (long)k * width;
                    var x0 = TSimd.Load(row);
                    var x1 = TSimd.Load(row + lanes);
                    var s = TSimd.Splat(w[0]); a00 = TSimd.MultiplyAdd(s, x0, a00); a01 = TSimd.MultiplyAdd(s, x1, a01);
                    s = TSimd.Splat(w[1]); a10 = TSimd.MultiplyAdd(s, x0, a10); a11 = TSimd.MultiplyAdd(s, x1, a11);
                    s = TSimd.Splat(w[2]); a20 = TSimd.MultiplyAdd(s, x0, a20); a21 = TSimd.MultiplyAdd(s, x1, a21);
                    s = TSimd.Splat(w[3]); a30 = TSimd.MultiplyAdd(s, x0, a30); a31 = TSimd.MultiplyAdd(s, x1, a31);
                    s = TSimd.Splat(w[4]); a40 = TSimd.MultiplyAdd(s, x0, a40); a41 = TSimd.MultiplyAdd(s, x1, a41);
                    s = TSimd.Splat(w[5]); a50 = TSimd.MultiplyAdd(s, x0, a50); a51 = TSimd.MultiplyAdd(s, x1, a51);
                    s = TSimd.Splat(w[6]); a60 = TSimd.MultiplyAdd(s, x0, a60); a61 = TSimd.MultiplyAdd(s, x1, a61);
                    s = TSimd.Splat(w[7]); a70 = TSimd.MultiplyAdd(s, x0, a70); a71 = TSimd.MultiplyAdd(s, x1, a71);
                }
                source = h;
                count = hidden;
            }
            var g = gates + (long)tile * width;
            TSimd.Store(g, a00); TSimd.Store(g + lanes, a01); g += width;
            TSimd.Store(g, a10); TSimd.Store(g + lanes, a11); g += width;
            TSimd.Store(g, a20); TSimd.Store(g + lanes, a21); g += width;
            TSimd.Store(g, a30); TSimd.Store(g + lanes, a31); g += width;
            TSimd.Store(g, a40); TSimd.Store(g + lanes, a41); g += width;
            TSimd.Store(g, a50); TSimd.Store(g + lanes, a51); g += width;
            TSimd.Store(g, a60); TSimd.Store(g + lanes, a61); g += width;
            TSimd.Store(g, a70); TSimd.Store(g + lanes, a71);
        }
    }

    /// <summary>
    /// ONNX LSTM cell (gates i, o, f, c): c' = f c + i g, h' = o tanh(c'), in place, with five
    /// exponentials and three reciprocals per unit instead of five of each: with
    /// <c>s = 1 + e^-x</c> (so sigmoid x = 1 / s) and <c>b = e^2x</c> (so tanh x = (b - 1) / (b + 1)),
    /// <c>i g = (b_g - 1) / (s_i (b_g + 1))</c> and <c>o tanh c' = (b_c' - 1) / (s_o (b_c' + 1))</c>.
    /// The exponentials' arguments are clamped (-x to 40, 2x to ±20, where sigmoid and tanh are
    /// saturated to float precision) so those products stay finite. The gates' exponentials run first
    /// as one flat pass of independent evaluations, which the core overlaps well. Reads h and c, writes
    /// <paramref name="hNext"/> and <paramref name="cNext"/> (the same buffers when in place); returns
    /// the sum of every stored value times 0, which is 0 only if all are finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TVec Cells(int hidden, float* gates, float* h, float* c, float* hNext, float* cNext, bool allFinite, TVec mask0, TVec mask1, bool stream)
    {
        var lanes = TSimd.Lanes;
        var width = 2 * lanes;
        var gateStride = (long)hidden * width;
        var candidates = gates + 3 * gateStride;
        var end = gates + 4 * gateStride;
        var one = TSimd.Splat(1f);
        var zero = TSimd.Splat(0f);
        var nonFinite = zero;
        for (var g = gates; g < candidates; g += lanes)
            TSimd.Store(g, TSimd.Add(one, SimdMath<TVec, TSimd>.Exp(TSimd.Min(TSimd.Subtract(TSimd.Splat(0f), TSimd.Load(g)), TSimd.Splat(40f)))));
        for (var g = candidates; g < end; g += lanes)
            TSimd.Store(g, SimdMath<TVec, TSimd>.Exp(DoubledForTanh(TSimd.Load(g))));
        for (var j = 0; j < hidden; j++)
        {
            for (var v = 0; v < 2; v++)
            {
                var offset = (long)j * width + v * lanes;
                var g = gates + offset;
                var b = TSimd.Load(g + 3 * gateStride);
                var inputTimesCandidate = TSimd.Multiply(TSimd.Subtract(b, one), TSimd.Reciprocal(TSimd.Multiply(TSimd.Load(g), TSimd.Add(b, one))));
                var cOld = TSimd.Load(c + offset);
                var cNew = TSimd.MultiplyAdd(cOld, TSimd.Reciprocal(TSimd.Load(g + 2 * gateStride)), inputTimesCandidate);
                var e = SimdMath<TVec, TSimd>.Exp(DoubledForTanh(cNew));
                var hNew = TSimd.Multiply(TSimd.Subtract(e, one), TSimd.Reciprocal(TSimd.Multiply(TSimd.Load(g + gateStride), TSimd.Add(e, one))));
                if (!allFinite)
                {
                    var mask = v == 0 ? mask0 : mask1;
                    cNew = TSimd.Select(mask, cNew, cOld);
                    hNew = TSimd.Select(mask, hNew, TSimd.Load(h + offset));
                }
                if (stream) TSimd.StoreNonTemporal(cNext + offset, cNew);
                else TSimd.Store(cNext + offset, cNew);
                TSimd.Store(hNext + offset, hNew);
                nonFinite = TSimd.MultiplyAdd(cNew, zero, TSimd.MultiplyAdd(hNew, zero, nonFinite));
            }
        }
        return nonFinite;
    }

    /// <summary>2x clamped to [-20, 20]: tanh is ±1 in float beyond |x| = 10, and e^20 (b + 1) s stays finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec DoubledForTanh(TVec x) => TSimd.Min(TSimd.Max(TSimd.Add(x, x), TSimd.Splat(-20f)), TSimd.Splat(20f));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Output(FusedPlan* plan, float* h, int hidden)
    {
        var width = BlockWidth;
        var sum = TSimd.Splat(0f);
        for (var j = 0; j < hidden; j++)
            sum = TSimd.MultiplyAdd(TSimd.Splat(plan->OutputWeight[j]), TSimd.Load(h + (long)j * width), sum);
        // MatMul, then Add, then Mul, as the graph rounds them.
        return TSimd.Multiply(TSimd.Add(sum, TSimd.Splat(plan->OutputBias)), TSimd.Splat(plan->OutputScale));
    }
}
