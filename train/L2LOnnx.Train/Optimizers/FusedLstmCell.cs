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
    [ThreadStatic]
    private static List<Tensor>? returned;

    /// <inheritdoc />
    public override string Name => nameof(FusedLstmCell);

    /// <inheritdoc />
    public override unsafe List<Tensor> forward(AutogradContext ctx, params object[] vars)
    {
        var (x, h, c, inputWeights, hiddenWeights, bias) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4], (Tensor)vars[5]);
        var hidden = (int)h.shape[0];
        var n = h.shape[1];
        var gates = torch.addmm(bias, inputWeights, x, 1, 1).addmm_(hiddenWeights, h, 1, 1);
        var previous = c.contiguous();
        var nextC = empty(hidden, n);
        var nextH = empty(hidden, n);
        LstmCellKernels.Forward(LstmCellKernels.Pointer(gates), LstmCellKernels.Pointer(previous), LstmCellKernels.Pointer(nextC),
            LstmCellKernels.Pointer(nextH), hidden, n);
        ctx.save_for_backward([x, h, previous, nextC, gates, inputWeights, hiddenWeights]);
        return [nextH, nextC];
    }

    /// <inheritdoc />
    public override unsafe List<Tensor> backward(AutogradContext ctx, List<Tensor> gradOutputs)
    {
        if (returned is { } previousGradients)
            foreach (var gradient in previousGradients) gradient.Dispose();
        List<Tensor> gradients;
        using (var scope = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            var (x, h, previous, nextC, gates, inputWeights, hiddenWeights) = (saved[0], saved[1], saved[2], saved[3], saved[4], saved[5], saved[6]);
            var hidden = (int)previous.shape[0];
            var n = previous.shape[1];
            var dNextH = gradOutputs[0].contiguous();
            var dNextC = gradOutputs[1].contiguous();
            var dGates = empty_like(gates);
            var dC = empty(hidden, n);
            LstmCellKernels.Backward(LstmCellKernels.Pointer(gates), LstmCellKernels.Pointer(previous), LstmCellKernels.Pointer(nextC),
                LstmCellKernels.Pointer(dNextH), LstmCellKernels.Pointer(dNextC), LstmCellKernels.Pointer(dGates), LstmCellKernels.Pointer(dC), hidden, n);
            gradients = [inputWeights.t().mm(dGates), hiddenWeights.t().mm(dGates), dC, dGates.mm(x.t()), dGates.mm(h.t()), dGates.sum(1, keepdim: true)];
            // Still in the unroll's scope, so that nothing outlives it even if no further backward comes.
            foreach (var gradient in gradients) gradient.MoveToOuterDisposeScope();
        }
        foreach (var gradient in gradOutputs) gradient.Dispose();
        returned = gradients;
        return gradients;
    }
}
