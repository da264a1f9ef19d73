using System.Runtime.CompilerServices;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>An elementwise function of one vector, inlined into the generic loops of <see cref="ProgramKernel{TVec,TSimd}"/>.</summary>
internal interface IUnaryOp<TVec>
{
    static abstract TVec Apply(TVec x);
}

/// <summary>An elementwise function of two vectors.</summary>
internal interface IBinaryOp<TVec>
{
    static abstract TVec Apply(TVec a, TVec b);
}

/// <summary>
/// Runs a compiled <see cref="ProgramPlan"/> block by block, written once for any vector width. A
/// block is <see cref="NativeProgram.VectorsPerBlock"/> vectors of coordinates; every instruction
/// runs over its rows for the whole block before the next starts, so registers stay in L1/L2. Like
/// the LSTM kernel, every coordinate runs the same instructions, so results do not depend on the
/// block, chunk, thread or split.
/// </summary>
internal static unsafe class ProgramKernel<TVec, TSimd>
    where TVec : unmanaged
    where TSimd : ISimd<TVec>
{
    private const int Vectors = NativeProgram.VectorsPerBlock;

    /// <summary>
    /// Steps blocks [<paramref name="firstBlock"/>, <paramref name="endBlock"/>) of one state. Returns
    /// whether every value it stored (next state and update) is finite.
    /// </summary>
    [SkipLocalsInit]
    public static bool Run(KernelArguments* args, int firstBlock, int endBlock, float* scratch)
    {
        var plan = (ProgramPlan*)args->Plan;
        var lanes = TSimd.Lanes;
        var width = Vectors * lanes;
        var states = plan->StateCount;
        // The current states, then where the next states go (see NativeProgram.FirstStateBase).
        var bases = stackalloc float*[NativeProgram.FirstStateBase + 2 * states];
        var clean = scratch;
        var mask = scratch + width;
        bases[NativeProgram.ScratchBase] = scratch;
        var nonFinite = TSimd.Splat(0f);
        var stream = args->StreamNextStates != 0;
        for (var block = firstBlock; block < endBlock; block++)
        {
            long offset = (long)block * width;
            var grad = args->Gradient + offset;
            bases[NativeProgram.ParametersBase] = args->Parameters + offset;
            bases[NativeProgram.UpdateBase] = args->Update + offset;
            for (var s = 0; s < states; s++)
            {
                bases[NativeProgram.FirstStateBase + s] = args->States[s] + offset * plan->StateWidths[s];
                bases[NativeProgram.FirstStateBase + states + s] = args->NextStates[s] + offset * plan->StateWidths[s];
            }
            var allFinite = true;
            for (var v = 0; v < width; v += lanes) allFinite &= TSimd.AllFinite(TSimd.Load(grad + v));
            if (!allFinite)
            {
                // The program runs on a zero gradient in the bad lanes; the stores keep their old values.
                for (var v = 0; v < width; v += lanes)
                {
                    var g = TSimd.Load(grad + v);
                    var finite = TSimd.FiniteMask(g);
                    TSimd.Store(mask + v, finite);
                    TSimd.Store(clean + v, TSimd.Select(finite, g, TSimd.Splat(0f)));
                }
                grad = clean;
            }
            bases[NativeProgram.GradientBase] = grad;
            var end = plan->Ops + plan->OpCount;
            for (var op = plan->Ops; op < end; op++)
            {
                if (op->Code == ProgramOpCode.StoreOutput) nonFinite = TSimd.Add(nonFinite, Store(op, bases, allFinite, mask, stream));
                else Execute(op, bases);
            }
        }
        if (stream) TSimd.FenceStreamingStores();
        return TSimd.AllFinite(nonFinite);
    }

    /// <summary>Every instruction but <see cref="ProgramOpCode.StoreOutput"/>, which <see cref="Run"/> calls itself.</summary>
    private static void Execute(ProgramOp* op, float** bases)
    {
        switch (op->Code)
        {
            case ProgramOpCode.Copy: Unary<Identity>(op, bases); break;
            case ProgramOpCode.Negate: Unary<Negate>(op, bases); break;
            case ProgramOpCode.Abs: Unary<Absolute>(op, bases); break;
            case ProgramOpCode.Relu: Unary<Relu>(op, bases); break;
            case ProgramOpCode.Sigmoid: Unary<Sigmoid>(op, bases); break;
            case ProgramOpCode.Tanh: Unary<Tanh>(op, bases); break;
            case ProgramOpCode.Exp: Unary<Exponential>(op, bases); break;
            case ProgramOpCode.Log: Unary<Logarithm>(op, bases); break;
            case ProgramOpCode.Sqrt: Unary<SquareRoot>(op, bases); break;
            case ProgramOpCode.Reciprocal: Unary<Reciprocal>(op, bases); break;
            case ProgramOpCode.Sign: Unary<Sign>(op, bases); break;
            case ProgramOpCode.Not: Unary<Not>(op, bases); break;
            case ProgramOpCode.MaskToFloat: Unary<MaskToFloat>(op, bases); break;
            case ProgramOpCode.Add: Binary<Add>(op, bases); break;
            case ProgramOpCode.Subtract: Binary<Subtract>(op, bases); break;
            case ProgramOpCode.Multiply: Binary<Multiply>(op, bases); break;
            case ProgramOpCode.Divide: Binary<Divide>(op, bases); break;
            case ProgramOpCode.Max: Binary<Max>(op, bases); break;
            case ProgramOpCode.Min: Binary<Min>(op, bases); break;
            case ProgramOpCode.Less: Binary<Less>(op, bases); break;
            case ProgramOpCode.LessOrEqual: Binary<LessOrEqual>(op, bases); break;
            case ProgramOpCode.Greater: Binary<Greater>(op, bases); break;
            case ProgramOpCode.GreaterOrEqual: Binary<GreaterOrEqual>(op, bases); break;
            case ProgramOpCode.Equal: Binary<Equal>(op, bases); break;
            case ProgramOpCode.And: Binary<And>(op, bases); break;
            case ProgramOpCode.Or: Binary<Or>(op, bases); break;
            case ProgramOpCode.Where: Where(op, bases); break;
            case ProgramOpCode.MatMul: MatMul(op, bases); break;
            case ProgramOpCode.LstmCell: LstmCell(op, bases); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* At(in OpOperand operand, float** bases) => bases[operand.Base] + operand.Offset;

    private static void Unary<TOp>(ProgramOp* op, float** bases) where TOp : IUnaryOp<TVec>
    {
        var lanes = TSimd.Lanes;
        var width = Vectors * lanes;
        var d = At(op->Destination, bases);
        var a = At(op->A, bases);
        var aStride = op->A.RowStride;
        for (var r = 0; r < op->Rows; r++, d += width, a += aStride)
            for (var v = 0; v < width; v += lanes)
                TSimd.Store(d + v, TOp.Apply(TSimd.Load(a + v)));
    }

    private static void Binary<TOp>(ProgramOp* op, float** bases) where TOp : IBinaryOp<TVec>
    {
        var lanes = TSimd.Lanes;
        var width = Vectors * lanes;
        var d = At(op->Destination, bases);
        if (op->A.Constant == null && op->B.Constant == null)
        {
            var a = At(op->A, bases);
            var b = At(op->B, bases);
            for (var r = 0; r < op->Rows; r++, d += width, a += op->A.RowStride, b += op->B.RowStride)
                for (var v = 0; v < width; v += lanes)
                    TSimd.Store(d + v, TOp.Apply(TSimd.Load(a + v), TSimd.Load(b + v)));
        }
        else if (op->B.Constant != null)
        {
            var a = At(op->A, bases);
            var c = op->B.Constant;
            for (var r = 0; r < op->Rows; r++, d += width, a += op->A.RowStride, c += op->B.ConstantStride)
            {
                var constant = TSimd.Splat(*c);
                for (var v = 0; v < width; v += lanes)
                    TSimd.Store(d + v, TOp.Apply(TSimd.Load(a + v), constant));
            }
        }
        else
        {
            var b = At(op->B, bases);
            var c = op->A.Constant;
            for (var r = 0; r < op->Rows; r++, d += width, b += op->B.RowStride, c += op->A.ConstantStride)
            {
                var constant = TSimd.Splat(*c);
                for (var v = 0; v < width; v += lanes)
                    TSimd.Store(d + v, TOp.Apply(constant, TSimd.Load(b + v)));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Read(in OpOperand operand, float** bases, int row, int v) => operand.Constant != null
        ? TSimd.Splat(operand.Constant[row * operand.ConstantStride])
        : TSimd.Load(bases[operand.Base] + operand.Offset + row * operand.RowStride + v);

    private static void Where(ProgramOp* op, float** bases)
    {
        var lanes = TSimd.Lanes;
        var width = Vectors * lanes;
        var d = At(op->Destination, bases);
        for (var r = 0; r < op->Rows; r++, d += width)
            for (var v = 0; v < width; v += lanes)
                TSimd.Store(d + v, TSimd.Select(Read(op->C, bases, r, v), Read(op->A, bases, r, v), Read(op->B, bases, r, v)));
    }

    /// <summary>
    /// destination[m] = bias[m] + Σ_k W[k][m] source[k] (sources A then B), tiles of four output rows
    /// by the whole block (16 accumulators), then the remaining rows one at a time; ReLU on request
    /// (as max(0, x), which keeps NaN as ONNX Relu does: the hardware max returns its second operand on NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MatMul(ProgramOp* op, float** bases)
    {
        var lanes = TSimd.Lanes;
        var width = Vectors * lanes;
        var k1 = op->K1;
        var k2 = op->K2;
        var k = k1 + k2;
        var rows = op->Rows;
        var first = At(op->A, bases);
        var second = k2 > 0 ? At(op->B, bases) : null;
        var d = At(op->Destination, bases);
        var relu = op->Relu != 0;
        var zero = TSimd.Splat(0f);
        var m = 0;
        for (; m + 4 <= rows; m += 4)
        {
            var w = op->Weights + (long)m * k;
            var bias = op->Bias + m;
            TVec a00 = TSimd.Splat(bias[0]), a01 = a00, a02 = a00, a03 = a00;
            TVec a10 = TSimd.Splat(bias[1]), a11 = a10, a12 = a10, a13 = a10;
            TVec a20 = TSimd.Splat(bias[2]), a21 = a20, a22 = a20, a23 = a20;
            TVec a30 = TSimd.Splat(bias[3]), a31 = a30, a32 = a30, a33 = a30;
            var source = first;
            var count = k1;
            for (var part = 0; part < 2; part++)
            {
                for (var j = 0; j < count; j++, w += 4, source += width)
                {
                    var x0 = TSimd.Load(source);
                    var x1 = TSimd.Load(source + lanes);
                    var x2 = TSimd.Load(source + 2 * lanes);
                    var x3 = TSimd.Load(source + 3 * lanes);
                    var s = TSimd.Splat(w[0]);
                    a00 = TSimd.MultiplyAdd(s, x0, a00); a01 = TSimd.MultiplyAdd(s, x1, a01); a02 = TSimd.MultiplyAdd(s, x2, a02); a03 = TSimd.MultiplyAdd(s, x3, a03);
                    s = TSimd.Splat(w[1]);
                    a10 = TSimd.MultiplyAdd(s, x0, a10); a11 = TSimd.MultiplyAdd(s, x1, a11); a12 = TSimd.MultiplyAdd(s, x2, a12); a13 = TSimd.MultiplyAdd(s, x3, a13);
                    s = TSimd.Splat(w[2]);
                    a20 = TSimd.MultiplyAdd(s, x0, a20); a21 = TSimd.MultiplyAdd(s, x1, a21); a22 = TSimd.MultiplyAdd(s, x2, a22); a23 = TSimd.MultiplyAdd(s, x3, a23);
                    s = TSimd.Splat(w[3]);
                    a30 = TSimd.MultiplyAdd(s, x0, a30); a31 = TSimd.MultiplyAdd(s, x1, a31); a32 = TSimd.MultiplyAdd(s, x2, a32); a33 = TSimd.MultiplyAdd(s, x3, a33);
                }
                source = second;
                count = k2;
            }
            if (relu)
            {
                a00 = TSimd.Max(zero, a00); a01 = TSimd.Max(zero, a01); a02 = TSimd.Max(zero, a02); a03 = TSimd.Max(zero, a03);
                a10 = TSimd.Max(zero, a10); a11 = TSimd.Max(zero, a11); a12 = TSimd.Max(zero, a12); a13 = TSimd.Max(zero, a13);
                a20 = TSimd.Max(zero, a20); a21 = TSimd.Max(zero, a21); a22 = TSimd.Max(zero, a22); a23 = TSimd.Max(zero, a23);
                a30 = TSimd.Max(zero, a30); a31 = TSimd.Max(zero, a31); a32 = TSimd.Max(zero, a32); a33 = TSimd.Max(zero, a33);
            }
            var o = d + (long)m * width;
            TSimd.Store(o, a00); TSimd.Store(o + lanes, a01); TSimd.Store(o + 2 * lanes, a02); TSimd.Store(o + 3 * lanes, a03); o += width;
            TSimd.Store(o, a10); TSimd.Store(o + lanes, a11); TSimd.Store(o + 2 * lanes, a12); TSimd.Store(o + 3 * lanes, a13); o += width;
            TSimd.Store(o, a20); TSimd.Store(o + lanes, a21); TSimd.Store(o + 2 * lanes, a22); TSimd.Store(o + 3 * lanes, a23); o += width;
            TSimd.Store(o, a30); TSimd.Store(o + lanes, a31); TSimd.Store(o + 2 * lanes, a32); TSimd.Store(o + 3 * lanes, a33);
        }
        for (; m < rows; m++)
        {
            var w = op->Weights + (long)m * k;
            TVec a0 = TSimd.Splat(op->Bias[m]), a1 = a0, a2 = a0, a3 = a0;
            var source = first;
            var count = k1;
            for (var part = 0; part < 2; part++)
            {
                for (var j = 0; j < count; j++, w++, source += width)
                {
                    var s = TSimd.Splat(*w);
                    a0 = TSimd.MultiplyAdd(s, TSimd.Load(source), a0);
                    a1 = TSimd.MultiplyAdd(s, TSimd.Load(source + lanes), a1);
                    a2 = TSimd.MultiplyAdd(s, TSimd.Load(source + 2 * lanes), a2);
                    a3 = TSimd.MultiplyAdd(s, TSimd.Load(source + 3 * lanes), a3);
                }
                source = second;
                count = k2;
            }
            if (relu)
            {
                a0 = TSimd.Max(zero, a0); a1 = TSimd.Max(zero, a1); a2 = TSimd.Max(zero, a2); a3 = TSimd.Max(zero, a3);
            }
            var o = d + (long)m * width;
            TSimd.Store(o, a0); TSimd.Store(o + lanes, a1); TSimd.Store(o + 2 * lanes, a2); TSimd.Store(o + 3 * lanes, a3);
        }
    }

    /// <summary>ONNX LSTM cell on gates i, o, f, c (rows 0, H, 2H, 3H of A): c' = f c + i g, h' = o tanh(c').</summary>
    private static void LstmCell(ProgramOp* op, float** bases)
    {
        var lanes = TSimd.Lanes;
        var width = Vectors * lanes;
        var hidden = op->Rows;
        var gates = At(op->A, bases);
        var c = At(op->B, bases);
        var h = At(op->Destination, bases);
        var cNext = At(op->Destination2, bases);
        var stride = (long)hidden * width;
        for (var j = 0; j < hidden; j++, gates += width, c += op->B.RowStride, h += width, cNext += width)
        {
            for (var v = 0; v < width; v += lanes)
            {
                var input = SimdMath<TVec, TSimd>.Sigmoid(TSimd.Load(gates + v));
                var output = SimdMath<TVec, TSimd>.Sigmoid(TSimd.Load(gates + stride + v));
                var forget = SimdMath<TVec, TSimd>.Sigmoid(TSimd.Load(gates + 2 * stride + v));
                var candidate = SimdMath<TVec, TSimd>.Tanh(TSimd.Load(gates + 3 * stride + v));
                var cell = TSimd.MultiplyAdd(TSimd.Load(c + v), forget, TSimd.Multiply(input, candidate));
                TSimd.Store(cNext + v, cell);
                TSimd.Store(h + v, TSimd.Multiply(output, SimdMath<TVec, TSimd>.Tanh(cell)));
            }
        }
    }

    /// <summary>
    /// Copies A into a contract output; coordinates with a non-finite gradient get B instead (the
    /// current state, or zero for the update), with non-temporal stores for a state when
    /// <paramref name="stream"/>. Returns the sum of every stored value times 0, which is 0 only if all
    /// are finite.
    /// </summary>
    private static TVec Store(ProgramOp* op, float** bases, bool allFinite, float* mask, bool stream)
    {
        var lanes = TSimd.Lanes;
        var width = Vectors * lanes;
        var d = At(op->Destination, bases);
        var a = At(op->A, bases);
        var zero = TSimd.Splat(0f);
        var nonFinite = zero;
        stream &= op->Destination.Base >= NativeProgram.FirstStateBase;
        for (var r = 0; r < op->Rows; r++, d += width, a += op->A.RowStride)
        {
            for (var v = 0; v < width; v += lanes)
            {
                var value = TSimd.Load(a + v);
                if (!allFinite) value = TSimd.Select(TSimd.Load(mask + v), value, Read(op->B, bases, r, v));
                if (stream) TSimd.StoreNonTemporal(d + v, value);
                else TSimd.Store(d + v, value);
                nonFinite = TSimd.MultiplyAdd(value, zero, nonFinite);
            }
        }
        return nonFinite;
    }

    private static TVec AllOnes => TSimd.Splat(BitConverter.Int32BitsToSingle(-1));

    private readonly struct Identity : IUnaryOp<TVec> { public static TVec Apply(TVec x) => x; }

    private readonly struct Negate : IUnaryOp<TVec> { public static TVec Apply(TVec x) => TSimd.Multiply(x, TSimd.Splat(-1f)); }

    private readonly struct Absolute : IUnaryOp<TVec> { public static TVec Apply(TVec x) => TSimd.Abs(x); }

    private readonly struct Relu : IUnaryOp<TVec> { public static TVec Apply(TVec x) => TSimd.Max(TSimd.Splat(0f), x); }

    private readonly struct Sigmoid : IUnaryOp<TVec> { public static TVec Apply(TVec x) => SimdMath<TVec, TSimd>.Sigmoid(x); }

    private readonly struct Tanh : IUnaryOp<TVec> { public static TVec Apply(TVec x) => SimdMath<TVec, TSimd>.Tanh(x); }

    private readonly struct Exponential : IUnaryOp<TVec> { public static TVec Apply(TVec x) => SimdMath<TVec, TSimd>.ExpFullRange(x); }

    private readonly struct Logarithm : IUnaryOp<TVec> { public static TVec Apply(TVec x) => TSimd.Log(x); }

    private readonly struct SquareRoot : IUnaryOp<TVec> { public static TVec Apply(TVec x) => TSimd.Sqrt(x); }

    private readonly struct Reciprocal : IUnaryOp<TVec> { public static TVec Apply(TVec x) => TSimd.Divide(TSimd.Splat(1f), x); }

    // NaN propagates, as ONNX Runtime's Sign, Max and Min do (a NaN turned into a number would pass the output check).
    private readonly struct Sign : IUnaryOp<TVec> { public static TVec Apply(TVec x) => TSimd.Select(TSimd.Equal(x, x), TSimd.Sign(x), x); }

    private readonly struct Not : IUnaryOp<TVec> { public static TVec Apply(TVec x) => TSimd.Select(x, TSimd.Splat(0f), AllOnes); }

    private readonly struct MaskToFloat : IUnaryOp<TVec> { public static TVec Apply(TVec x) => TSimd.Select(x, TSimd.Splat(1f), TSimd.Splat(0f)); }

    private readonly struct Add : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.Add(a, b); }

    private readonly struct Subtract : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.Subtract(a, b); }

    private readonly struct Multiply : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.Multiply(a, b); }

    private readonly struct Divide : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.Divide(a, b); }

    private readonly struct Max : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.Select(TSimd.Equal(a, a), TSimd.Max(a, b), a); }

    private readonly struct Min : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.Select(TSimd.Equal(a, a), TSimd.Min(a, b), a); }

    private readonly struct Less : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.GreaterThan(b, a); }

    private readonly struct LessOrEqual : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.GreaterThanOrEqual(b, a); }

    private readonly struct Greater : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.GreaterThan(a, b); }

    private readonly struct GreaterOrEqual : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.GreaterThanOrEqual(a, b); }

    private readonly struct Equal : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.Equal(a, b); }

    private readonly struct And : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.Select(a, b, TSimd.Splat(0f)); }

    private readonly struct Or : IBinaryOp<TVec> { public static TVec Apply(TVec a, TVec b) => TSimd.Select(a, AllOnes, b); }
}
