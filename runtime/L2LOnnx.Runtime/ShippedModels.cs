using System.Reflection;

namespace L2LOnnx.Runtime;

/// <summary>
/// The learned optimizers the project ships (the repository's <c>models/*.onnx</c>, each described by
/// its model card <c>models/&lt;name&gt;.md</c>), embedded in this assembly so that an application needs
/// no file next to it: <c>quadratic</c> (the paper's 10-d quadratics), <c>mnist-mlp</c> (the paper's
/// MNIST MLP) and <c>general</c> (linear, logistic, softmax regressions and small MLPs; the ML.NET
/// trainers' default).
/// </summary>
/// <example>
/// <code>
/// using var optimizer = ShippedModels.Load("quadratic");
/// </code>
/// </example>
public static class ShippedModels
{
    // The build embeds every models/*.onnx under this prefix (see the runtime's .csproj), so a model
    // added to models/ ships without a code change.
    private const string ResourcePrefix = "L2LOnnx.Models.";
    private const string Extension = ".onnx";

    private static readonly Assembly Assembly = typeof(ShippedModels).Assembly;

    /// <summary>The shipped models' names, e.g. <c>quadratic</c>, in ordinal order.</summary>
    public static IReadOnlyList<string> Names { get; } = Assembly.GetManifestResourceNames()
        .Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal) && r.EndsWith(Extension, StringComparison.Ordinal))
        .Select(r => r[ResourcePrefix.Length..^Extension.Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The model file's bytes as a read-only stream; the caller disposes it.</summary>
    /// <param name="name">A name from <see cref="Names"/>, e.g. <c>quadratic</c> (a trailing <c>.onnx</c> is accepted).</param>
    /// <exception cref="ArgumentException">No shipped model has that name; the message lists the names.</exception>
    public static Stream Open(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var bare = name.EndsWith(Extension, StringComparison.Ordinal) ? name[..^Extension.Length] : name;
        return Assembly.GetManifestResourceStream(ResourcePrefix + bare + Extension)
            ?? throw new ArgumentException(
                $"no shipped learned optimizer is called '{name}': the shipped ones are {string.Join(", ", Names)}; " +
                "for a file of your own use LearnedOptimizer.Load(path)", nameof(name));
    }

    /// <summary>Loads a shipped model, as <see cref="LearnedOptimizer.Load(Stream, LearnedOptimizerOptions?)"/> does.</summary>
    /// <param name="name">A name from <see cref="Names"/>, e.g. <c>quadratic</c>.</param>
    /// <param name="options">How to run it; default <see cref="LearnedOptimizerOptions"/>.</param>
    /// <exception cref="ArgumentException">No shipped model has that name; the message lists the names.</exception>
    /// <exception cref="NotSupportedException">The requested engine or execution provider is not available.</exception>
    public static LearnedOptimizer Load(string name, LearnedOptimizerOptions? options = null)
    {
        using var stream = Open(name);
        return LearnedOptimizer.Load(stream, options);
    }
}
