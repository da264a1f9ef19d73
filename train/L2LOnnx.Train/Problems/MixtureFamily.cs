using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// A mixture of problem families: every <see cref="Sample"/> draws one member uniformly, from the same
/// generator as the problems, so a seed fixes the whole sequence of members and problems. Members may
/// differ in dimension (an optimizee batch has its own); <see cref="Dimension"/> is the largest. The
/// mixture owns its members.
/// </summary>
public sealed class MixtureFamily : IProblemFamily
{
    private readonly IProblemFamily[] members;

    /// <summary>A mixture called <paramref name="name"/> of <paramref name="members"/> (taken over: disposed with the mixture).</summary>
    public MixtureFamily(string name, IReadOnlyList<IProblemFamily> members)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("a mixture needs at least one member", nameof(members));
        Name = name;
        this.members = [.. members];
        Dimension = members.Max(m => m.Dimension);
    }

    /// <summary>The member families.</summary>
    public IReadOnlyList<IProblemFamily> Members => members;

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The largest member dimension (a sampled batch has its member's).</summary>
    public int Dimension { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterGroup> Groups => ParameterGroup.Single(Dimension);

    /// <summary>The member the next <see cref="Sample"/> with this generator state will use (advances the generator).</summary>
    public int DrawMember(Generator generator)
    {
        using var index = randint(0, members.Length, new long[] { 1 }, dtype: ScalarType.Int64, generator: generator);
        return (int)index.item<long>();
    }

    /// <inheritdoc />
    public IOptimizee Sample(int count, Generator generator) => members[DrawMember(generator)].Sample(count, generator);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var member in members) member.Dispose();
    }
}
