namespace L2LOnnx.Train.Conformance;

/// <summary>The shape of a conformance recording. Defaults keep a 2x20 LSTM's vectors near 200 KB.</summary>
public sealed record ConformanceSettings
{
    /// <summary>N, coordinates per step; a multiple of <see cref="ConformanceGradients.Classes"/> covers every class evenly.</summary>
    public int Coordinates { get; init; } = 64;

    /// <summary>Steps from the all-zero state.</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Record the full state after step 1, every this many steps, and the last step (updates are recorded every step).</summary>
    public int StateEvery { get; init; } = 10;

    /// <summary>Seed of the gradient sequence.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Throws when the settings cannot describe a recording.</summary>
    public void Validate()
    {
        if (Coordinates < 1) throw new ArgumentOutOfRangeException(nameof(Coordinates), Coordinates, "must be at least 1");
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "must be at least 1");
        if (StateEvery < 1) throw new ArgumentOutOfRangeException(nameof(StateEvery), StateEvery, "must be at least 1");
    }
}
