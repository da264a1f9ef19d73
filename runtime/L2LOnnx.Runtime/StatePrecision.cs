namespace L2LOnnx.Runtime;

/// <summary>How the fused engine stores a state's values between steps. Arithmetic is float32 either way.</summary>
public enum StatePrecision
{
    /// <summary>float32: results agree with ONNX Runtime to 1e-5 (the default).</summary>
    Float32,

    /// <summary>
    /// bfloat16 (float32's exponent, 8 bits of mantissa, rounded to nearest even): half the state
    /// memory. Each stored value carries a relative rounding error of up to 2^-9, so trajectories drift
    /// from float32's; measured effect in docs/runtime.md. The ONNX Runtime engine keeps float32.
    /// </summary>
    BFloat16,
}
