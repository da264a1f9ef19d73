using L2LOnnx.Runtime;
using TorchSharp.Modules;

namespace L2LOnnx.TorchSharp;

/// <summary>
/// Parameters driven by one learned optimizer, for models meta-trained with one network per parameter
/// group (e.g. <c>cifar.conv.onnx</c> for the convolutions and <c>cifar.fc.onnx</c> for the
/// fully-connected layers, as written by <c>LstmOptimizerExporter.SaveGroups</c>).
/// </summary>
/// <param name="Parameters">
/// The group's parameters with their names (e.g. from <c>module.named_parameters()</c>); the names
/// label the tensors in the group's checkpoint.
/// </param>
/// <param name="Optimizer">The group's optimizer; the caller keeps ownership and disposes it after the <see cref="LearnedTorchOptimizer"/>.</param>
public sealed record LearnedParamGroup(IEnumerable<(string Name, Parameter Parameter)> Parameters, LearnedOptimizer Optimizer)
{
    /// <summary>A group of unnamed parameters (named <c>param0</c>, <c>param1</c>, ... in checkpoints).</summary>
    public LearnedParamGroup(IEnumerable<Parameter> parameters, LearnedOptimizer optimizer)
        : this(parameters.Select((p, i) => ($"param{i}", p)), optimizer)
    {
    }
}
