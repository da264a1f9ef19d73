namespace L2LOnnx.Runtime;

/// <summary>
/// Thrown when an ONNX file does not obey the optimizer contract (docs/contract-v1.md). The message
/// names the offending input, output, metadata key or node and says what the contract requires.
/// </summary>
public sealed class ContractViolationException : Exception
{
    /// <summary>Creates the exception with a message that names the problem.</summary>
    public ContractViolationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that revealed the problem.</summary>
    public ContractViolationException(string message, Exception inner) : base(message, inner) { }
}
