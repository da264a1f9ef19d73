using static TorchSharp.torch;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// A mixture of problem families: a <see cref="Sample"/> of fewer problems than there are members draws
/// one member uniformly (a meta-training trajectory is one family's problems); a sample of at least as
/// many problems covers every member, the problems dealt out in turn and stacked zero-padded
/// (<see cref="PaddedMixtureBatch"/>) — so validation problems (<c>--validation-problems</c> at least the
/// member count) judge the optimizer on every family. Members are drawn from the same generator as the
/// problems, so a seed fixes the whole sequence. <see cref="Dimension"/> is the largest member's. The
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
    public IOptimizee Sample(int count, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (count < members.Length) return members[DrawMember(generator)].Sample(count, generator);
        var batches = new List<IOptimizee>();
        try
        {
            for (var m = 0; m < members.Length; m++)
                batches.Add(members[m].Sample(ProblemsOf(m, count), generator));
            return new PaddedMixtureBatch(batches);
        }
        catch
        {
            foreach (var batch in batches) batch.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The member name of every problem row of a <see cref="Sample"/> of <paramref name="count"/> problems that
    /// covers every member (at least as many problems as members): how a validation score splits by family.
    /// </summary>
    public IReadOnlyList<string> MemberNamesOf(int count)
    {
        if (count < members.Length)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"a sample of fewer problems than the {members.Length} members is one member drawn at random");
        var names = new List<string>(count);
        for (var m = 0; m < members.Length; m++)
            names.AddRange(Enumerable.Repeat(members[m].Name, ProblemsOf(m, count)));
        return names;
    }

    /// <summary>How many of a covering sample's <paramref name="count"/> problems member <paramref name="m"/> gets: the problems are dealt out in turn.</summary>
    private int ProblemsOf(int m, int count) => count / members.Length + (m < count % members.Length ? 1 : 0);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var member in members) member.Dispose();
    }
}
