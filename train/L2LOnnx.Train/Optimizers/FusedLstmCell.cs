using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// One LSTM layer step over N coordinates, feature-major, as a custom autograd function: forward and
/// backward are matrix products plus one fused elementwise pass each (<see cref="LstmCellKernels"/>),
/// instead of the dozen libtorch elementwise ops, each over [4H, N] with its own allocation and
/// autograd node, that the composed cell costs.
/// </summary>
/// <remarks>
/// <para>
/// <c>apply(x [in, N], h [H, N], c [H, N], W_ih [4H, in], W_hh [4H, H], bias [4H, 1])</c> returns
/// <c>[h', c']</c>, with the weights of a <c>torch.nn.LSTMCell</c> (gates i, f, g, o) and
/// <c>bias = b_ih + b_hh</c>. Saved for backward are the activated gates and otherwise only tensors
/// the unroll keeps alive anyway (x, h, c, c', the weights): 4H values per coordinate and step.
/// </para>
/// <para>
/// Backward: <c>dz</c> (pre-activation gates) and <c>dc</c> from one fused pass, then
/// <c>dW_ih = dz x^T</c>, <c>dW_hh = dz h^T</c>, <c>db = sum dz</c>, <c>dx = W_ih^T dz</c>,
/// <c>dh = W_hh^T dz</c>. libtorch copies the returned gradients into its graph
/// (<c>CSharpNode::apply</c>), so this thread's handles to them are released at its next backward
/// call rather than held to the end of the unroll: an unroll's backward then keeps one step's
/// gradients alive, not all of them.
/// </para>
/// </remarks>
internal sealed class FusedLstmCell : MultiTensorFunction<FusedLstmCell>
{
    /// <summary>
    /// Coordinates per block of the blocked path: a block's gates and their gradients (4H x 512 floats
    /// each, 160 KB for H = 20) stay in a core's L2 cache between its products and its pass.
    /// </summary>
    internal const int BlockSize = 512;

    [ThreadStatic]
    private static List<Tensor>? returned;

    /// <summary>
    /// Makes this thread's cells use libtorch's products over all coordinates at once (the path used where
    /// libtorch has no MKL) instead of MKL on blocks: for comparing the two.
    /// </summary>
    [ThreadStatic]
    internal static bool UseLibtorchProducts;

    private static bool Blocked => MklGemm.IsAvailable && !UseLibtorchProducts;

    /// <inheritdoc />
    public override string Name => nameof(FusedLstmCell);

    /// <inheritdoc />
    public override List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var (x, h, c, inputWeights, hiddenWeights, bias) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4], (Tensor)vars[5]);
        var hidden = (int)h.shape[0];
        var n = h.shape[1];
        var previous = c.contiguous();
        var nextC = empty(hidden, n);
        var nextH = empty(hidden, n);
        Tensor gates;
        if (Blocked)
        {
            (x, h) = (x.contiguous(), h.contiguous());
            gates = empty(4 * hidden, n);
            ForwardBlocks(x, h, previous, inputWeights.contiguous(), hiddenWeights.contiguous(), bias.contiguous(), gates, nextC, nextH);
        }
        else
        {
            gates = torch.addmm(bias, inputWeights, x, 1, 1).addmm_(hiddenWeights, h, 1, 1);
            unsafe
            {
                LstmCellKernels.Forward(LstmCellKernels.Pointer(gates), LstmCellKernels.Pointer(previous), LstmCellKernels.Pointer(nextC),
                    LstmCellKernels.Pointer(nextH), hidden, n);
            }
        }
        ctx.save_for_backward([x, h, previous, nextC, gates, inputWeights, hiddenWeights]);
        return [nextH, nextC];
    }

    /// <inheritdoc />
    public override List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
    {
        if (returned is { } previousGradients)
            foreach (var gradient in previousGradients) gradient.Dispose();
        List<Tensor> gradients;
        using (var scope = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            var (x, h, previous, nextC, gates, inputWeights, hiddenWeights) = (saved[0], saved[1], saved[2], saved[3], saved[4], saved[5], saved[6]);
            var dNextH = gradOutputs[0].contiguous();
            var dNextC = gradOutputs[1].contiguous();
            gradients = Blocked
                ? BackwardBlocks(x.contiguous(), h.contiguous(), previous, nextC, gates, inputWeights.contiguous(), hiddenWeights.contiguous(), dNextH, dNextC)
                : BackwardWhole(x, h, previous, nextC, gates, inputWeights, hiddenWeights, dNextH, dNextC);
            // Still in the unroll's scope, so that nothing outlives it even if no further backward comes.
            foreach (var gradient in gradients) gradient.MoveToOuterDisposeScope();
        }
        foreach (var gradient in gradOutputs) gradient.Dispose();
        returned = gradients;
        return gradients;
    }

    /// <summary>Gradients of x, h, c, W_ih, W_hh and the bias from libtorch's products over all coordinates.</summary>
    private static unsafe List<Tensor> BackwardWhole(Tensor x, Tensor h, Tensor previous, Tensor nextC, Tensor gates, Tensor inputWeights,
        Tensor hiddenWeights, Tensor dNextH, Tensor dNextC)
    {
        var hidden = (int)previous.shape[0];
        var n = previous.shape[1];
        var dGates = empty_like(gates);
        var dC = empty(hidden, n);
        LstmCellKernels.Backward(LstmCellKernels.Pointer(gates), LstmCellKernels.Pointer(previous), LstmCellKernels.Pointer(nextC),
            LstmCellKernels.Pointer(dNextH), LstmCellKernels.Pointer(dNextC), LstmCellKernels.Pointer(dGates), LstmCellKernels.Pointer(dC), hidden, n);
        return [inputWeights.t().mm(dGates), hiddenWeights.t().mm(dGates), dC, dGates.mm(x.t()), dGates.mm(h.t()), dGates.sum(1, keepdim: true)];
    }

    /// <summary>
    /// The forward on blocks of <see cref="BlockSize"/> coordinates, each on one thread: the block's gate
    /// products straight into <paramref name="gates"/>, then its fused pass while the block is in cache.
    /// </summary>
    private static unsafe void ForwardBlocks(Tensor x, Tensor h, Tensor c, Tensor inputWeights, Tensor hiddenWeights, Tensor bias,
        Tensor gates, Tensor nextC, Tensor nextH)
    {
        var (inputs, hidden, n) = ((int)x.shape[0], (int)h.shape[0], h.shape[1]);
        var ld = LeadingDimension(n);
        float* px = LstmCellKernels.Pointer(x), ph = LstmCellKernels.Pointer(h), pc = LstmCellKernels.Pointer(c);
        float* wih = LstmCellKernels.Pointer(inputWeights), whh = LstmCellKernels.Pointer(hiddenWeights), pb = LstmCellKernels.Pointer(bias);
        float* pg = LstmCellKernels.Pointer(gates), pnc = LstmCellKernels.Pointer(nextC), pnh = LstmCellKernels.Pointer(nextH);
        ForEachBlock(n, (_, start, end) =>
        {
            var length = (int)(end - start);
            MklGemm.Multiply(false, false, 4 * hidden, length, inputs, 1, wih, inputs, px + start, ld, 0, pg + start, ld);
            MklGemm.Multiply(false, false, 4 * hidden, length, hidden, 1, whh, hidden, ph + start, ld, 1, pg + start, ld);
            LstmCellKernels.ForwardRange(pg, pb, pc, pnc, pnh, hidden, n, start, end);
        });
    }

    /// <summary>
    /// The backward on the forward's blocks: per block the fused pass, then <c>dx</c> and <c>dh</c> of its
    /// coordinates and its share of the weight and bias gradients, which are summed over the blocks in
    /// block order afterwards (so the result does not depend on the thread count).
    /// </summary>
    private static unsafe List<Tensor> BackwardBlocks(Tensor x, Tensor h, Tensor previous, Tensor nextC, Tensor gates, Tensor inputWeights,
        Tensor hiddenWeights, Tensor dNextH, Tensor dNextC)
    {
        var (inputs, hidden, n) = ((int)x.shape[0], (int)previous.shape[0], previous.shape[1]);
        var (gateRows, ld) = (4 * hidden, LeadingDimension(n));
        var dGates = empty_like(gates);
        var dC = empty(hidden, n);
        var dx = empty(inputs, n);
        var dh = empty(hidden, n);
        // One block's weight and bias gradients: dW_ih [4H, in], dW_hh [4H, H], db [4H].
        var share = gateRows * (inputs + hidden + 1);
        var shares = empty(BlockCount(n), share);
        float* px = LstmCellKernels.Pointer(x), ph = LstmCellKernels.Pointer(h), pc = LstmCellKernels.Pointer(previous), pnc = LstmCellKernels.Pointer(nextC);
        float* pg = LstmCellKernels.Pointer(gates), wih = LstmCellKernels.Pointer(inputWeights), whh = LstmCellKernels.Pointer(hiddenWeights);
        float* pdnh = LstmCellKernels.Pointer(dNextH), pdnc = LstmCellKernels.Pointer(dNextC), pdg = LstmCellKernels.Pointer(dGates);
        float* pdc = LstmCellKernels.Pointer(dC), pdx = LstmCellKernels.Pointer(dx), pdh = LstmCellKernels.Pointer(dh), ps = LstmCellKernels.Pointer(shares);
        ForEachBlock(n, (block, start, end) =>
        {
            var length = (int)(end - start);
            float* dWih = ps + (long)block * share, dWhh = dWih + gateRows * inputs, db = dWhh + gateRows * hidden;
            LstmCellKernels.BackwardRange(pg, pc, pnc, pdnh, pdnc, pdg, pdc, db, hidden, n, start, end);
            MklGemm.Multiply(true, false, inputs, length, gateRows, 1, wih, inputs, pdg + start, ld, 0, pdx + start, ld);
            MklGemm.Multiply(true, false, hidden, length, gateRows, 1, whh, hidden, pdg + start, ld, 0, pdh + start, ld);
            MklGemm.Multiply(false, true, gateRows, inputs, length, 1, pdg + start, ld, px + start, ld, 0, dWih, inputs);
            MklGemm.Multiply(false, true, gateRows, hidden, length, 1, pdg + start, ld, ph + start, ld, 0, dWhh, hidden);
        });
        var dInputWeights = empty(gateRows, inputs);
        var dHiddenWeights = empty(gateRows, hidden);
        var dBias = empty(gateRows, 1);
        var blocks = BlockCount(n);
        SumBlocks(ps, blocks, share, 0, gateRows * inputs, LstmCellKernels.Pointer(dInputWeights));
        SumBlocks(ps, blocks, share, gateRows * inputs, gateRows * hidden, LstmCellKernels.Pointer(dHiddenWeights));
        SumBlocks(ps, blocks, share, gateRows * (inputs + hidden), gateRows, LstmCellKernels.Pointer(dBias));
        return [dx, dh, dC, dInputWeights, dHiddenWeights, dBias];
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
    /// thread when libtorch has one thread or there is one block, otherwise on up to libtorch's thread
    /// count of threads, each taking the next block when done (so a thread the machine does not
    /// schedule delays no one: the others take its blocks).
    /// </summary>
    private static void ForEachBlock(long n, Action<int, long, long> body)
    {
        var blocks = BlockCount(n);
        var threads = Math.Min(get_num_threads(), blocks);
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
}
