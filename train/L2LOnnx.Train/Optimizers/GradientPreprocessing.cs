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
    public static Tensor Apply(Tensor grad, double? p) => p is { } value ? LogSign(grad, value) : grad.unsqueeze(0);
}
