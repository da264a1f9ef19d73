namespace L2LOnnx.Runtime;

/// <summary>
/// A graph input or output as the contract checker sees it, whatever read it (the runtime's own ONNX
/// reader, or ONNX Runtime's metadata).
/// </summary>
/// <param name="Name">Value name.</param>
/// <param name="ElementType">ONNX element type name, e.g. <c>float</c>, <c>double</c>; <c>non-tensor</c> for sequences and maps.</param>
/// <param name="Dimensions">Each dimension: a fixed size, or <c>null</c> when symbolic or unknown.</param>
public sealed record TensorSignature(string Name, string ElementType, IReadOnlyList<long?> Dimensions);
