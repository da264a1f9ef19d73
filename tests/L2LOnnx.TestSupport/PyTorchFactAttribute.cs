namespace L2LOnnx.TestSupport;

/// <summary>A fact that is skipped, with the reason shown, where python3-torch or python3-onnx is absent (CI has them).</summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public PyTorchFactAttribute()
    {
        if (!DebianPython.HasTorch)
            Skip = $"{DebianPython.Executable} cannot import torch and onnx: install python3-torch and python3-onnx (scripts/setup.sh does) to run the PyTorch interop tests";
    }
}
