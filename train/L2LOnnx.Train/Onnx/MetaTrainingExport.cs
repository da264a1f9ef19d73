using L2LOnnx.Train.Optimizers;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// Exports what meta-training produced: one contract-v1 file for a shared network, or one file per
/// parameter group (<see cref="LstmOptimizerExporter.SaveGroups"/>, each with <c>l2l.group</c> set, so
/// <see cref="LstmOptimizerImporter.ImportGroups"/> reads them back). What <c>l2l meta-train</c> writes.
/// </summary>
public static class MetaTrainingExport
{
    /// <summary>
    /// The files <see cref="Save"/> writes for <paramref name="optimizer"/>: <paramref name="output"/> for a
    /// shared network, else <c>&lt;output without .onnx&gt;.&lt;group&gt;.onnx</c> per group, by group.
    /// Call it before a long run to learn early that a name cannot hold group files.
    /// </summary>
    /// <exception cref="ArgumentException">The file name or a group name cannot form a group file name (see <see cref="LstmOptimizerExporter.GroupFileName"/>).</exception>
    public static IReadOnlyDictionary<string, string> Paths(GroupedOptimizer optimizer, string output)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentException.ThrowIfNullOrEmpty(output);
        if (optimizer.IsShared)
            return new Dictionary<string, string> { [optimizer.Networks[0].Group] = output };
        var (directory, name) = Split(output);
        return optimizer.Networks.ToDictionary(n => n.Group, n => Path.Combine(directory, LstmOptimizerExporter.GroupFileName(name, n.Group)), StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes <paramref name="optimizer"/>'s networks (atomically, each) and returns the paths by group.
    /// Per-group files also record every group's name as <c>l2l.optimizee.groups</c>.
    /// </summary>
    /// <param name="optimizer">The meta-trained optimizer.</param>
    /// <param name="output">The <c>.onnx</c> path of a shared network, from which per-group names are derived.</param>
    /// <param name="metadata">What the files record; usually <see cref="ExportMetadata.ForMetaTraining"/>.</param>
    /// <inheritdoc cref="Paths" path="/exception"/>
    public static IReadOnlyDictionary<string, string> Save(GroupedOptimizer optimizer, string output, ExportMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var paths = Paths(optimizer, output);
        if (optimizer.IsShared)
        {
            OptimizerExporter.Save(optimizer.Networks[0].Network, output, metadata);
            return paths;
        }
        var (directory, name) = Split(output);
        var details = new Dictionary<string, string>(metadata.Details)
        {
            ["optimizee.groups"] = string.Join(",", optimizer.Networks.Select(n => n.Group)),
        };
        if (optimizer.Networks.All(n => n.Network is LstmOptimizer))
            return LstmOptimizerExporter.SaveGroups(
                optimizer.Networks.ToDictionary(n => n.Group, n => (LstmOptimizer)n.Network, StringComparer.Ordinal), directory, name, metadata with { Details = details });
        foreach (var (group, network) in optimizer.Networks)
            OptimizerExporter.Save(network, paths[group], metadata with { Group = group, Details = details });
        return paths;
    }

    private static (string Directory, string Name) Split(string output) =>
        (Path.GetDirectoryName(output) ?? "", Path.GetFileNameWithoutExtension(output));
}
