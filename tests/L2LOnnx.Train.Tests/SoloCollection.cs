namespace L2LOnnx.Train.Tests;

/// <summary>
/// Tests that measure the whole process (resident memory) and so must not run alongside others.
/// xunit runs a collection with parallelization disabled after the parallel ones, on its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoloCollection
{
    public const string Name = "solo: measures the whole process";
}
