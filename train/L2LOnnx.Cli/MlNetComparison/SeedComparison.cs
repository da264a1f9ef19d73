namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// What <see cref="PairedOverSeeds.Compare"/> found for one task and epochs: the learned trainer and tuned
/// Adam over the paired seeds, their differences, and ML.NET's best trainer.
/// </summary>
/// <param name="Seeds">Every seed the rows came from, in order.</param>
/// <param name="PairedSeeds">The seeds on which both the learned trainer and Adam ran without error.</param>
/// <param name="Learned">The learned trainer's means over <paramref name="PairedSeeds"/>; null when no seed paired.</param>
/// <param name="Adam">Tuned Adam's means over <paramref name="PairedSeeds"/>; null when no seed paired.</param>
/// <param name="QualityDifference">Learned minus Adam, accuracy (R² for regression), over <paramref name="PairedSeeds"/>.</param>
/// <param name="LossDifference">Learned minus Adam, log-loss (RMSE for regression), over <paramref name="PairedSeeds"/>.</param>
/// <param name="Wins">Paired seeds on which the learned trainer's loss is lower than Adam's.</param>
/// <param name="AdamRates">The learning rates Adam picked on validation, each with how many seeds picked it, most picked first.</param>
/// <param name="BestMlNet">ML.NET's trainer with the highest mean quality over the seeds it ran on without error; null when none did.</param>
/// <param name="Failed">The learned, Adam and ML.NET rows that failed (e.g. diverged), by seed.</param>
internal sealed record SeedComparison(IReadOnlyList<int> Seeds, IReadOnlyList<int> PairedSeeds, MeanRow? Learned, MeanRow? Adam,
    MeanAndStandardError QualityDifference, MeanAndStandardError LossDifference, int Wins,
    IReadOnlyList<(double Rate, int Seeds)> AdamRates, MeanRow? BestMlNet, IReadOnlyList<ComparisonRow> Failed)
{
    /// <summary>
    /// Today's single-seed rule applied to the means: at least as good needs no lower mean quality and no
    /// higher mean loss; null when no seed paired.
    /// </summary>
    public bool? AtLeastAsGood => Learned is null || Adam is null ? null : Learned.Quality >= Adam.Quality && Learned.Loss <= Adam.Loss;

    /// <summary>
    /// Whether both differences are within two standard errors of zero: whichever way the verdict goes,
    /// these seeds cannot tell the two optimizers apart.
    /// </summary>
    public bool TieWithinNoise => QualityDifference.WithinTwoStandardErrorsOfZero && LossDifference.WithinTwoStandardErrorsOfZero;
}
