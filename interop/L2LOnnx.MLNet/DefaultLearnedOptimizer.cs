using L2LOnnx.Runtime;

namespace L2LOnnx.MLNet;

/// <summary>
/// The learned optimizer trainers use when no optimizer file is given: the shipped general-purpose
/// <c>general.onnx</c> (models/general.md), meta-trained on linear, logistic, softmax and MLP problems.
/// It is embedded in <c>L2LOnnx.Runtime</c> (<see cref="ShippedModels"/>), so an application needs no
/// file next to it.
/// </summary>
public static class DefaultLearnedOptimizer
{
    /// <summary>The default's name among <see cref="ShippedModels.Names"/>.</summary>
    public const string Name = "general";

    /// <summary>
    /// Path of a contract-v1 ONNX file that replaces the embedded default for every trainer in the
    /// process whose <see cref="LearnedOptimizerTrainerOptions.OptimizerPath"/> is not set, e.g. a
    /// newer general optimizer. Default <c>null</c>: the embedded <c>general.onnx</c>.
    /// </summary>
    public static string? OverridePath { get; set; }

    /// <summary>What <see cref="Load"/> loads: <see cref="OverridePath"/> as a full path, or <c>general.onnx</c>.</summary>
    public static string Source => OverridePath is { } path ? Path.GetFullPath(path) : Name + ".onnx";

    /// <summary>Loads the default optimizer: the file at <see cref="OverridePath"/> if set, else the embedded one.</summary>
    /// <param name="options">How to run it; default <see cref="LearnedOptimizerOptions"/>.</param>
    /// <exception cref="FileNotFoundException"><see cref="OverridePath"/> is set and no file is there.</exception>
    /// <exception cref="ContractViolationException">The override file is not a contract-v1 optimizer.</exception>
    public static LearnedOptimizer Load(LearnedOptimizerOptions? options = null) =>
        OverridePath is { } path ? LearnedOptimizer.Load(path, options) : ShippedModels.Load(Name, options);
}
