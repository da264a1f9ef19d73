namespace L2LOnnx.Train.Problems;

/// <summary>
/// How synthetic regression and classification data is drawn, per problem: features
/// <c>x = s * (sqrt(1 - rho) z + sqrt(rho) c)</c> with <c>z</c> N(0, I), a factor <c>c</c> shared by all
/// features of a sample (correlation <c>rho</c> ~ U(0, <see cref="MaxCorrelation"/>), which makes the
/// problem ill-conditioned), and per-feature scales <c>s</c> log-uniform over
/// <see cref="ScaleDecades"/> decades around 1. Targets come from a random linear teacher on the
/// unscaled features, so well-fitted weights differ in size by as much as the scales do.
/// </summary>
public sealed record SyntheticDataConfig
{
    /// <summary>Features per sample.</summary>
    public int Features { get; init; } = 10;

    /// <summary>Classes (softmax regression only; logistic regression has 2, linear regression none).</summary>
    public int Classes { get; init; } = 5;

    /// <summary>Samples per problem (minibatches are drawn from them).</summary>
    public int Samples { get; init; } = 256;

    /// <summary>Samples per minibatch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Width in decades of the log-uniform feature scales (2 = from 0.1 to 10).</summary>
    public double ScaleDecades { get; init; } = 2;

    /// <summary>Largest correlation between features.</summary>
    public double MaxCorrelation { get; init; } = 0.9;

    /// <summary>Standard deviation of the target noise (linear regression).</summary>
    public double Noise { get; init; } = 0.1;

    /// <summary>Throws when the settings cannot describe data.</summary>
    public void Validate()
    {
        if (Features < 1) throw new ArgumentOutOfRangeException(nameof(Features), Features, "must be at least 1");
        if (Classes < 2) throw new ArgumentOutOfRangeException(nameof(Classes), Classes, "must be at least 2");
        if (Samples < 1 || BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(Samples), "samples and batch size must be at least 1");
        if (!(ScaleDecades >= 0) || !(MaxCorrelation >= 0 && MaxCorrelation < 1) || !(Noise >= 0))
            throw new ArgumentOutOfRangeException(nameof(ScaleDecades), "scale decades and noise must be >= 0, max correlation in [0, 1)");
    }
}
