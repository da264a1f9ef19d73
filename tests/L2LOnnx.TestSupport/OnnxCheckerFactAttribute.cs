namespace L2LOnnx.TestSupport;

/// <summary>A fact that is skipped, with the reason shown, where python3-onnx is absent (CI has it).</summary>
public sealed class OnnxCheckerFactAttribute : FactAttribute
{
    public OnnxCheckerFactAttribute()
    {
        if (!DebianPython.HasOnnx)
            Skip = $"{DebianPython.Executable} cannot import onnx: install python3-onnx (scripts/setup.sh does) to run the official ONNX checker";
    }
}
