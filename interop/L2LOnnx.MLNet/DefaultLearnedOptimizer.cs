namespace L2LOnnx.MLNet;

/// <summary>
/// Finds the shipped general-purpose learned optimizer, <c>models/general.onnx</c>, meta-trained on
/// linear, logistic, softmax and MLP problems; trainers use it when no optimizer file is given.
/// </summary>
/// <remarks>
/// Looked for in order: <c>models/general.onnx</c> under the application's folder
/// (<see cref="AppContext.BaseDirectory"/>), then under the folder holding <c>L2LOnnx.sln</c>, found by
/// walking up from the application's folder and from the current folder.
/// </remarks>
public static class DefaultLearnedOptimizer
{
    /// <summary>The default optimizer's path relative to the application or repository folder.</summary>
    public static readonly string RelativePath = Path.Combine("models", "general.onnx");

    private const string SolutionFileName = "L2LOnnx.sln";

    /// <summary>The places looked in, in order (the files need not exist).</summary>
    public static IReadOnlyList<string> Candidates()
    {
        var candidates = new List<string> { Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, RelativePath)) };
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, SolutionFileName))) continue;
                var path = Path.Combine(dir.FullName, RelativePath);
                if (!candidates.Contains(path)) candidates.Add(path);
                break;
            }
        }
        return candidates;
    }

    /// <summary>The first candidate that exists.</summary>
    /// <exception cref="FileNotFoundException">None exists; the message lists where it looked and what to do.</exception>
    public static string Resolve()
    {
        var candidates = Candidates();
        foreach (var path in candidates)
            if (File.Exists(path)) return path;
        throw new FileNotFoundException(
            $"the default learned optimizer {RelativePath} was not found (looked at: {string.Join(", ", candidates)}). " +
            "Copy it next to the application, set OptimizerPath to a contract-v1 .onnx optimizer, " +
            "or set Baseline (e.g. BaselineKind.Adam) to train with a hand-designed optimizer",
            candidates[0]);
    }
}
