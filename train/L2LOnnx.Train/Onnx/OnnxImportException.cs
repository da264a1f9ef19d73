namespace L2LOnnx.Train.Onnx;

/// <summary>
/// An ONNX file cannot be imported as a TorchSharp optimizer network: it is not a contract-v1 file, or
/// it is one outside the coordinatewise LSTM family. The message says which and why.
/// </summary>
public sealed class OnnxImportException : Exception
{
    /// <summary>Creates the exception with a message that names what is wrong and what to do.</summary>
    public OnnxImportException(string message) : base(message) { }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public OnnxImportException(string message, Exception inner) : base(message, inner) { }
}
