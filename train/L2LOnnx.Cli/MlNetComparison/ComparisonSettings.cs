namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>Settings shared by every task of one comparison run.</summary>
internal sealed record ComparisonSettings(string? Optimizer, int Epochs, int BatchSize, int Hidden, int Seed, int Threads)
{
    /// <summary>
    /// The default epochs of the learned-optimizer trainers; Diabetes's epochs are given at this count and
    /// scaled with the actual one, so that a run at other epochs keeps the same proportion.
    /// </summary>
    public const int DefaultEpochs = 10;

    /// <summary>Adam's learning-rate grid, tuned on a validation split of the training rows.</summary>
    public IReadOnlyList<double> AdamGrid { get; init; } = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2];

    /// <summary>Fraction of the training rows the validation split takes.</summary>
    public double ValidationFraction { get; init; } = 0.2;
}
