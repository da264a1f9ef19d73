namespace L2LOnnx.Runtime;

/// <summary>
/// One named parameter tensor inside an <see cref="OptimizerState"/> created for a group of tensors:
/// its coordinates are <c>[Offset, Offset + Length)</c> of the state's N.
/// </summary>
/// <param name="Name">The tensor's name, e.g. <c>layer1.weight</c>.</param>
/// <param name="Offset">Index of its first coordinate in the state.</param>
/// <param name="Length">Its number of coordinates (elements).</param>
public readonly record struct ParameterSegment(string Name, int Offset, int Length);
