namespace L2LOnnx.Runtime;

/// <summary>Where ONNX Runtime runs the model.</summary>
public enum ExecutionProvider
{
    /// <summary>The CPU (native package <c>Microsoft.ML.OnnxRuntime</c>).</summary>
    Cpu,

    /// <summary>
    /// An NVIDIA GPU through CUDA: needs the native package <c>Microsoft.ML.OnnxRuntime.Gpu</c> instead
    /// of <c>Microsoft.ML.OnnxRuntime</c>, an NVIDIA driver, and the CUDA and cuDNN libraries that
    /// ONNX Runtime release requires. The fused engine is CPU-only, so CUDA always uses ONNX Runtime.
    /// </summary>
    Cuda,
}
