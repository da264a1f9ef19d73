using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Optimizers;

/// <summary>
/// The paper's gradient preprocessing (appendix A). Gradients span many orders of magnitude, which an
/// LSTM handles badly, so each gradient becomes two features:
/// <c>(log|g| / p, sign g)</c> when <c>|g| &gt;= e^-p</c>, else <c>(-1, e^p g)</c>.
/// </summary>
/// <remarks>
/// The exporter writes the same arithmetic into the ONNX graph (Abs, GreaterOrEqual, Max, Log, Div,
/// Sign, Mul, Where), in the same order and with the same float32 constants, so the two agree to the bit
/// on the threshold decision and to rounding elsewhere.
/// </remarks>
public static class GradientPreprocessing
{
    /// <summary>The threshold <c>e^-p</c> as the float32 constant both TorchSharp and ONNX use.</summary>
    public static float Threshold(double p) => (float)Math.Exp(-p);

    /// <summary>The small-gradient scale <c>e^p</c> as a float32 constant.</summary>
    public static float SmallScale(double p) => (float)Math.Exp(p);

    /// <summary>Maps gradients [N] to features [2, N]: the log row, then the sign row.</summary>
    public static Tensor LogSign(Tensor grad, double p)
    {
        using var scope = NewDisposeScope();
        var threshold = Threshold(p);
        var abs = grad.abs();
        var large = abs.ge(threshold);
        // Clamping keeps log finite (log 0 = -inf) so that no inf reaches autograd when second
        // derivatives are kept; the clamped values are only used where |g| >= threshold anyway.
        var logPart = torch.where(large, abs.clamp_min(threshold).log().div((float)p), torch.tensor(-1f, dtype: grad.dtype));
        var signPart = torch.where(large, grad.sign(), grad.mul(SmallScale(p)));
        return torch.stack(new[] { logPart, signPart }, dim: 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Applies the configured preprocessing: log/sign, or the raw gradient as one feature. Features are
    /// feature-major, [features, N], the layout <see cref="LstmOptimizer"/> computes in.
    /// </summary>
    /// <remarks>
    /// A gradient that is a constant of the graph (the paper's first-order meta-training, and every
    /// rollout) is preprocessed in one pass over its memory (<see cref="LstmCellKernels.LogSign"/>); one
    /// whose derivatives are kept goes through the differentiable libtorch ops of <see cref="LogSign"/>.
    /// </remarks>
    public static Tensor Apply(Tensor grad, double? p)
    {
        if (p is not { } value) return grad.unsqueeze(0);
        if (grad.requires_grad || grad.dtype != ScalarType.Float32 || grad.device_type != DeviceType.CPU) return LogSign(grad, value);
        return LogSignConstant(grad.contiguous(), value);
    }

    private static unsafe Tensor LogSignConstant(Tensor grad, double p)
    {
        var n = grad.numel();
        var features = empty(2, n);
        LstmCellKernels.LogSign(LstmCellKernels.Pointer(grad), LstmCellKernels.Pointer(features), n, Threshold(p), (float)p, SmallScale(p));
        return features;
    }
}
