namespace L2LOnnx.Runtime;

/// <summary>Which engine computes the steps.</summary>
public enum OptimizerEngine
{
    /// <summary>
    /// The fused CPU engine when the model is recognised as our LSTM family and agrees with ONNX Runtime
    /// on a probe batch at load; ONNX Runtime otherwise (the reason is in
    /// <see cref="LearnedOptimizer.EngineReason"/> and the log).
    /// </summary>
    Auto,

    /// <summary>ONNX Runtime, which runs every contract-v1 model.</summary>
    OnnxRuntime,

    /// <summary>The fused CPU engine; loading fails with the reason when the model is not one it can run.</summary>
    Fused,
}
