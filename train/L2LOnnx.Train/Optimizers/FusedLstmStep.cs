using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// A whole optimizer step of the stacked LSTM (every layer and the output layer) as one custom autograd
/// function, computed on blocks of coordinates: per block, each layer's gate products (MKL, see
/// <see cref="MklGemm"/>) and its fused pass, then the next layer and the output, while the block is in
/// cache; the backward likewise goes down the layers block by block. Blocks are shared out to libtorch's
/// thread count of threads.
/// </summary>
/// <remarks>
/// <para>
/// <c>apply(input, settings, h_0, c_0, ..., h_L-1, c_L-1, W_ih_0, W_hh_0, b_ih_0, b_hh_0, ...,
/// W_out [1, H], b_out [1])</c> (see <see cref="Arguments"/>: the input is the features [F, N], or a
/// constant gradient [N] the step preprocesses itself) with the states as the [N, H] transposed views of [H, N] storage that
/// <see cref="LstmOptimizerState"/> holds, returns <c>[update [N], h'_0, c'_0, ...]</c>, the states
/// again as [N, H] views. One autograd node per step instead of some twenty ops and nodes (bias sums,
/// transposes, one function per layer, the output product and its views): that per-op cost is what a
/// small problem's step is made of.
/// </para>
/// <para>
/// Saved for backward: the features, and per layer its input state, the activated gates and the new
/// state (the next layer's input); the gate gradients live only in a per-thread block of scratch.
/// Weight and bias gradients are summed per block and then over the blocks in block order, so the
/// result is the same to the bit at any thread count. Gradients of inputs that do not require them
/// (the features of a first-order step, a detached carried state) are not computed.
/// </para>
/// </remarks>
internal sealed class FusedLstmStep : MultiTensorFunction<FusedLstmStep>
{
    /// <summary>
    /// Coordinates per block: a block's gates, gate gradients and states (about 7H x 512 floats, 290 KB
    /// for H = 20) stay in a core's L2 cache between a block's products and its passes.
    /// </summary>
    internal const int BlockSize = 512;

    /// <summary>
    /// Inputs up to this many features (the first layer's preprocessed gradient: 1 or 2) go through
    /// <see cref="LstmCellKernels.AddInputRange"/> instead of a matrix product of that depth; measured
    /// in docs/training.md.
    /// </summary>
    private const int SmallInputs = 4;

    /// <summary>
    /// Blocks below which a step runs on one thread: handing a few blocks to another thread costs more
    /// than it saves (128 quadratics, 3 blocks, were slower on 2 threads).
    /// </summary>
    private const int MinParallelBlocks = 8;

    [ThreadStatic]
    private static List<Tensor>? returned;

    [ThreadStatic]
    private static unsafe float* scratch;

    [ThreadStatic]
    private static long scratchFloats;

    /// <inheritdoc />
    public override string Name => nameof(FusedLstmStep);

    /// <summary>
    /// The arguments of <c>apply</c> for <paramref name="layers"/> layers, in order. The input is either
    /// the features [F, N] or, with <paramref name="logSignP"/>, a gradient [N] that is a constant of the
    /// graph, which the step preprocesses block by block (<see cref="GradientPreprocessing.LogSign"/>'s
    /// arithmetic) instead of in a pass of its own.
    /// </summary>
    public static object[] Arguments(Tensor input, double outputScale, double? logSignP, LstmOptimizerState state,
        IReadOnlyList<(Tensor InputWeights, Tensor HiddenWeights, Tensor InputBias, Tensor HiddenBias)> layers, Tensor outputWeight, Tensor outputBias)
    {
        var arguments = new object[2 + 6 * layers.Count + 2];
        arguments[0] = input;
        arguments[1] = new Settings((float)outputScale, logSignP);
        for (var l = 0; l < layers.Count; l++)
        {
            arguments[2 + 2 * l] = state.Layers[l].H;
            arguments[3 + 2 * l] = state.Layers[l].C;
            var weights = 2 + 2 * layers.Count + 4 * l;
            (arguments[weights], arguments[weights + 1], arguments[weights + 2], arguments[weights + 3]) = layers[l];
        }
        arguments[^2] = outputWeight;
        arguments[^1] = outputBias;
        return arguments;
    }

    /// <inheritdoc />
    public override unsafe List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var layers = (vars.Length - 4) / 6;
        var settings = (Settings)vars[1];
        var scale = settings.OutputScale;
        var input = Contiguous((Tensor)vars[0]);
        var features = settings.LogSignP is null ? input : empty(2, input.shape[0]);
        var n = features.shape[1];
        var ld = LeadingDimension(n);
        var hidden = (int)((Tensor)vars[2]).shape[1];
        var update = empty(n);
        var plan = new LayerPointers[layers];
        var saved = new List<Tensor> { features };
        var outputs = new List<Tensor> { update };
        var needs = new bool[vars.Length];
        needs[0] = ((Tensor)vars[0]).requires_grad;
        for (var l = 0; l < layers; l++)
        {
            var (h, c) = ((Tensor)vars[2 + 2 * l], (Tensor)vars[3 + 2 * l]);
            (needs[2 + 2 * l], needs[3 + 2 * l]) = (h.requires_grad, c.requires_grad);
            var weights = 2 + 2 * layers + 4 * l;
            // Parameters are contiguous (Pointer checks): taken as they are, with no handle per step.
            var (inputWeights, hiddenWeights) = ((Tensor)vars[weights], (Tensor)vars[weights + 1]);
            var (inputBias, hiddenBias) = ((Tensor)vars[weights + 2], (Tensor)vars[weights + 3]);
            var (hf, cf) = (FeatureMajor(h), FeatureMajor(c));
            var gates = empty(4 * hidden, n);
            var (nextH, nextC) = (empty(hidden, n), empty(hidden, n));
            saved.AddRange([hf, cf, gates, nextH, nextC, inputWeights, hiddenWeights]);
            outputs.AddRange([nextH.t(), nextC.t()]);
            plan[l] = new LayerPointers
            {
                Inputs = (int)inputWeights.shape[1],
                X = l == 0 ? LstmCellKernels.Pointer(features) : plan[l - 1].NextH,
                H = LstmCellKernels.Pointer(hf), C = LstmCellKernels.Pointer(cf), Gates = LstmCellKernels.Pointer(gates),
                NextH = LstmCellKernels.Pointer(nextH), NextC = LstmCellKernels.Pointer(nextC),
                InputWeights = LstmCellKernels.Pointer(inputWeights), HiddenWeights = LstmCellKernels.Pointer(hiddenWeights),
                InputBias = LstmCellKernels.Pointer(inputBias), HiddenBias = LstmCellKernels.Pointer(hiddenBias),
            };
        }
        var outputWeight = (Tensor)vars[^2];
        var outputBias = (Tensor)vars[^1];
        saved.Add(outputWeight);
        float* wOut = LstmCellKernels.Pointer(outputWeight), pu = LstmCellKernels.Pointer(update);
        var bOut = outputBias.item<float>();
        float* grad = settings.LogSignP is null ? null : LstmCellKernels.Pointer(input), pf = LstmCellKernels.Pointer(features);
        var (p, threshold, smallScale) = settings.LogSignP is { } value
            ? ((float)value, GradientPreprocessing.Threshold(value), GradientPreprocessing.SmallScale(value))
            : (0f, 0f, 0f);
        ForEachBlock(n, (_, start, end) =>
        {
            var length = (int)(end - start);
            if (grad != null) LstmCellKernels.LogSignRange(grad, pf, n, threshold, p, smallScale, start, end);
            for (var l = 0; l < plan.Length; l++)
            {
                ref readonly var p = ref plan[l];
                MklGemm.Multiply(false, false, 4 * hidden, length, hidden, 1, p.HiddenWeights, hidden, p.H + start, ld, 0, p.Gates + start, ld);
                if (p.Inputs <= SmallInputs)
                    LstmCellKernels.AddInputRange(p.Gates, 4 * hidden, p.InputWeights, p.X, p.Inputs, n, start, end);
                else
                    MklGemm.Multiply(false, false, 4 * hidden, length, p.Inputs, 1, p.InputWeights, p.Inputs, p.X + start, ld, 1, p.Gates + start, ld);
                LstmCellKernels.ForwardRange(p.Gates, p.InputBias, p.HiddenBias, p.C, p.NextC, p.NextH, hidden, n, start, end);
            }
            LstmCellKernels.OutputRange(plan[^1].NextH, wOut, bOut, scale, pu, hidden, n, start, end);
        });
        ctx.save_for_backward(saved);
        ctx.save_data("needs", needs);
        ctx.save_data("scale", scale);
        return outputs;
    }

    /// <inheritdoc />
    public override unsafe List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
    {
        if (returned is { } previousGradients)
            foreach (var gradient in previousGradients) gradient.Dispose();
        var needs = (bool[])ctx.get_data("needs");
        var scale = (float)ctx.get_data("scale");
        var gradients = new Tensor?[needs.Length];
        using (var scope = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            var layers = (saved.Count - 2) / 7;
            var features = saved[0];
            var outputWeight = saved[^1];
            var n = features.shape[1];
            var ld = LeadingDimension(n);
            var hidden = (int)saved[1].shape[0];
            var gateRows = 4 * hidden;
            var dUpdate = gradOutputs[0].contiguous();
            var plan = new LayerGradientPointers[layers];
            // One block's share of every weight gradient: per layer dW_ih, dW_hh, db; then dW_out, db_out.
            var share = 0;
            var dFeatures = needs[0] ? empty(features.shape[0], n) : null;
            for (var l = 0; l < layers; l++)
            {
                var (h, c, gates, nextH, nextC, inputWeights, hiddenWeights) =
                    (saved[1 + 7 * l], saved[2 + 7 * l], saved[3 + 7 * l], saved[4 + 7 * l], saved[5 + 7 * l], saved[6 + 7 * l], saved[7 + 7 * l]);
                var inputs = (int)inputWeights.shape[1];
                var dH = needs[2 + 2 * l] ? empty(hidden, n) : null;
                var dC = empty(hidden, n);
                if (dH is not null) gradients[2 + 2 * l] = dH.t();
                if (needs[3 + 2 * l]) gradients[3 + 2 * l] = dC.t();
                plan[l] = new LayerGradientPointers
                {
                    Inputs = inputs,
                    X = l == 0 ? LstmCellKernels.Pointer(features) : LstmCellKernels.Pointer(saved[4 + 7 * (l - 1)]),
                    H = LstmCellKernels.Pointer(h), C = LstmCellKernels.Pointer(c), Gates = LstmCellKernels.Pointer(gates),
                    NextH = LstmCellKernels.Pointer(nextH), NextC = LstmCellKernels.Pointer(nextC),
                    InputWeights = LstmCellKernels.Pointer(inputWeights), HiddenWeights = LstmCellKernels.Pointer(hiddenWeights),
                    DNextH = LstmCellKernels.Pointer(FeatureMajor(gradOutputs[1 + 2 * l])), DNextC = LstmCellKernels.Pointer(FeatureMajor(gradOutputs[2 + 2 * l])),
                    DX = l == 0 ? (dFeatures is null ? null : LstmCellKernels.Pointer(dFeatures)) : null,
                    DH = dH is null ? null : LstmCellKernels.Pointer(dH), DC = LstmCellKernels.Pointer(dC),
                    Share = share,
                };
                share += gateRows * (inputs + hidden + 1);
            }
            var outputShare = share;
            share += hidden + 1;
            var blocks = BlockCount(n);
            var shares = empty(blocks, share);
            float* ps = LstmCellKernels.Pointer(shares), pdu = LstmCellKernels.Pointer(dUpdate), wOut = LstmCellKernels.Pointer(outputWeight);
            ForEachBlock(n, (block, start, end) =>
            {
                var length = (int)(end - start);
                var blockShare = ps + (long)block * share;
                var dz = Scratch(gateRows, hidden);
                var dh = dz + (long)gateRows * BlockSize;
                // Scratch rows are BlockSize apart and indexed by coordinate, so their base is shifted by start.
                float* dzBase = dz - start, dhBase = dh - start;
                var top = plan[^1];
                LstmCellKernels.OutputBackwardRange(top.NextH, wOut, scale, pdu, top.DNextH, dhBase, BlockSize, blockShare + outputShare, hidden, n, start, end);
                for (var l = plan.Length - 1; l >= 0; l--)
                {
                    ref readonly var p = ref plan[l];
                    float* dWih = blockShare + p.Share, dWhh = dWih + gateRows * p.Inputs, db = dWhh + gateRows * hidden;
                    LstmCellKernels.BackwardRange(p.Gates, p.C, p.NextC, dhBase, BlockSize, p.DNextC, dzBase, BlockSize, p.DC, db, hidden, n, start, end);
                    if (p.DH != null)
                        MklGemm.Multiply(true, false, hidden, length, gateRows, 1, p.HiddenWeights, hidden, dz, BlockSize, 0, p.DH + start, ld);
                    if (p.Inputs <= SmallInputs)
                        LstmCellKernels.InputWeightGradientRange(dzBase, BlockSize, gateRows, p.X, p.Inputs, n, dWih, start, end);
                    else
                        MklGemm.Multiply(false, true, gateRows, p.Inputs, length, 1, dz, BlockSize, p.X + start, ld, 0, dWih, p.Inputs);
                    MklGemm.Multiply(false, true, gateRows, hidden, length, 1, dz, BlockSize, p.H + start, ld, 0, dWhh, hidden);
                    if (l > 0)
                    {
                        // The layer below's h' gradient: its own incoming one plus this layer's input gradient.
                        var below = plan[l - 1];
                        for (var j = 0; j < hidden; j++)
                            new ReadOnlySpan<float>(below.DNextH + (long)j * n + start, length).CopyTo(new Span<float>(dh + (long)j * BlockSize, length));
                        MklGemm.Multiply(true, false, hidden, length, gateRows, 1, p.InputWeights, p.Inputs, dz, BlockSize, 1, dh, BlockSize);
                    }
                    else if (p.DX != null)
                        MklGemm.Multiply(true, false, p.Inputs, length, gateRows, 1, p.InputWeights, p.Inputs, dz, BlockSize, 0, p.DX + start, ld);
                }
            });
            gradients[0] = dFeatures;
            for (var l = 0; l < layers; l++)
            {
                var p = plan[l];
                var weights = 2 + 2 * layers + 4 * l;
                var dInputWeights = empty(gateRows, p.Inputs);
                var dHiddenWeights = empty(gateRows, hidden);
                var dBias = empty(gateRows);
                SumBlocks(ps, blocks, share, p.Share, gateRows * p.Inputs, LstmCellKernels.Pointer(dInputWeights));
                SumBlocks(ps, blocks, share, p.Share + gateRows * p.Inputs, gateRows * hidden, LstmCellKernels.Pointer(dHiddenWeights));
                SumBlocks(ps, blocks, share, p.Share + gateRows * (p.Inputs + hidden), gateRows, LstmCellKernels.Pointer(dBias));
                // Both biases get the same gradient, as separate tensors: autograd may keep either as the parameter's .grad.
                (gradients[weights], gradients[weights + 1], gradients[weights + 2], gradients[weights + 3]) = (dInputWeights, dHiddenWeights, dBias, dBias.clone());
            }
            var dOutputWeight = empty(1, hidden);
            var dOutputBias = empty(1);
            SumBlocks(ps, blocks, share, outputShare, hidden, LstmCellKernels.Pointer(dOutputWeight));
            SumBlocks(ps, blocks, share, outputShare + hidden, 1, LstmCellKernels.Pointer(dOutputBias));
            (gradients[^2], gradients[^1]) = (dOutputWeight, dOutputBias);
            // Still in the unroll's scope, so that nothing outlives it even if no further backward comes.
            foreach (var gradient in gradients) gradient?.MoveToOuterDisposeScope();
        }
        foreach (var gradient in gradOutputs) gradient.Dispose();
        var list = gradients.ToList();
        returned = list.Where(g => g is not null).ToList()!;
        return list!;
    }

    /// <summary>[H, N] memory of an [N, H] state or state gradient: free for the transposed views the state holds.</summary>
    private static Tensor FeatureMajor(Tensor state) => Contiguous(state.t());

    private static Tensor Contiguous(Tensor tensor) => tensor.is_contiguous() ? tensor : tensor.contiguous();

    /// <summary>
    /// This thread's scratch for one block: gate gradients [4H, BlockSize], then h' gradients [H, BlockSize].
    /// </summary>
    private static unsafe float* Scratch(int gateRows, int hidden)
    {
        var floats = (long)(gateRows + hidden) * BlockSize;
        if (scratchFloats < floats)
        {
            // Kept for the thread's lifetime (a few hundred KB per thread), so blocks allocate nothing.
            NativeMemory.AlignedFree(scratch);
            scratch = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            scratchFloats = floats;
        }
        return scratch;
    }

    /// <summary>
    /// Sums the blocks' shares of <paramref name="count"/> floats from <paramref name="offset"/> (of
    /// <paramref name="stride"/>-float rows) into <paramref name="total"/>, first block first.
    /// </summary>
    private static unsafe void SumBlocks(float* shares, int blocks, int stride, int offset, int count, float* total)
    {
        new ReadOnlySpan<float>(shares + offset, count).CopyTo(new Span<float>(total, count));
        for (var block = 1; block < blocks; block++)
        {
            var row = shares + (long)block * stride + offset;
            for (var k = 0; k < count; k++) total[k] += row[k];
        }
    }

    private static int BlockCount(long n) => (int)((n + BlockSize - 1) / BlockSize);

    /// <summary>
    /// Runs <paramref name="body"/>(block, start, end) for every block of coordinates: on the calling
    /// thread when libtorch has one thread or there are few blocks, otherwise on up to libtorch's thread
    /// count of threads, each taking the next block when done (so a thread the machine does not
    /// schedule delays no one: the others take its blocks).
    /// </summary>
    private static void ForEachBlock(long n, Action<int, long, long> body)
    {
        var blocks = BlockCount(n);
        var threads = blocks < MinParallelBlocks ? 1 : Math.Min(get_num_threads(), blocks);
        if (threads <= 1)
        {
            for (var block = 0; block < blocks; block++) body(block, (long)block * BlockSize, Math.Min(n, (long)(block + 1) * BlockSize));
            return;
        }
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads },
            block => body(block, (long)block * BlockSize, Math.Min(n, (long)(block + 1) * BlockSize)));
    }

    private static int LeadingDimension(long n) =>
        n <= int.MaxValue ? (int)n : throw new ArgumentException($"at most {int.MaxValue} coordinates per step, got {n}", nameof(n));

    /// <summary>The step's non-tensor argument: the output scale, and the log/sign p when the input is a raw gradient.</summary>
    internal sealed record Settings(float OutputScale, double? LogSignP);

    /// <summary>One layer's memory in the forward: input x [in, N], state, gates, next state, weights.</summary>
    private unsafe struct LayerPointers
    {
        public int Inputs;
        public float* X, H, C, Gates, NextH, NextC, InputWeights, HiddenWeights, InputBias, HiddenBias;
    }

    /// <summary>One layer's memory in the backward: the saved tensors, incoming gradients, and the gradients written.</summary>
    private unsafe struct LayerGradientPointers
    {
        public int Inputs;
        public int Share;
        public float* X, H, C, Gates, NextH, NextC, InputWeights, HiddenWeights, DNextH, DNextC, DX, DH, DC;
    }
}
