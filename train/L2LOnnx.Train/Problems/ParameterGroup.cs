namespace L2LOnnx.Train.Problems;

/// <summary>
/// A named, contiguous range of an optimizee's parameters, e.g. all convolution weights of a convnet.
/// The paper's CIFAR-10 optimizer uses one LSTM for the convolutional parameters and another for the
/// fully-connected ones; groups say which coordinates belong to which network.
/// </summary>
/// <param name="Name">Group name, also the suffix of its exported ONNX file (e.g. <c>conv</c>, <c>fc</c>).</param>
/// <param name="Start">Index of the group's first parameter within one problem's parameter vector.</param>
/// <param name="Length">Number of parameters in the group.</param>
public sealed record ParameterGroup(string Name, int Start, int Length)
{
    /// <summary>The name of the single group of an optimizee that does not split its parameters.</summary>
    public const string AllName = "all";

    /// <summary>The one group that covers all <paramref name="dimension"/> parameters.</summary>
    public static IReadOnlyList<ParameterGroup> Single(int dimension) => [new ParameterGroup(AllName, 0, dimension)];

    /// <summary>
    /// Throws unless <paramref name="groups"/> tile <c>[0, dimension)</c> in order, without gaps or
    /// overlaps, with distinct non-empty names made of letters, digits, '-' and '_' (they become file names).
    /// </summary>
    public static void Validate(IReadOnlyList<ParameterGroup> groups, int dimension)
    {
        if (groups.Count == 0) throw new ArgumentException("an optimizee needs at least one parameter group", nameof(groups));
        var next = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            if (string.IsNullOrEmpty(group.Name) || !group.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw new ArgumentException($"parameter group name '{group.Name}' must be non-empty and use only letters, digits, '-' and '_'", nameof(groups));
            if (!names.Add(group.Name)) throw new ArgumentException($"parameter group '{group.Name}' appears twice", nameof(groups));
            if (group.Start != next || group.Length < 1)
                throw new ArgumentException($"parameter group '{group.Name}' covers [{group.Start}, {group.Start + group.Length}); groups must tile the parameters in order, the next one starting at {next}", nameof(groups));
            next += group.Length;
        }
        if (next != dimension) throw new ArgumentException($"the parameter groups cover {next} parameters, the optimizee has {dimension}", nameof(groups));
    }
}
