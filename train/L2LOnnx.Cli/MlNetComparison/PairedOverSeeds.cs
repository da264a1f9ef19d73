using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// The learned trainer against tuned Adam over several seeds of one task and epochs, paired by seed: each
/// seed's learned row is compared with the same seed's Adam row (same split, same validation split, same
/// initialisation and minibatch order), so that the split-to-split spread, which both share, drops out of
/// the differences.
/// </summary>
internal static class PairedOverSeeds
{
    /// <summary>
    /// Pairs <paramref name="rows"/> (one task and epochs, any number of seeds) by <see cref="ComparisonRow.Seed"/>.
    /// The means, the differences, the wins and the verdict are over the paired seeds, those on which both
    /// the learned trainer and Adam ran without error, so that they all speak of the same seeds; every failed
    /// row is returned in <see cref="SeedComparison.Failed"/> instead of being averaged.
    /// </summary>
    public static SeedComparison Compare(IEnumerable<ComparisonRow> rows)
    {
        var all = rows.ToArray();
        var seeds = all.Select(r => r.Seed).Distinct().Order().ToArray();
        var pairs = seeds
            .Select(seed => (Seed: seed, Learned: all.FirstOrDefault(r => r.Seed == seed && r.Role == TrainerRole.Learned),
                Adam: all.FirstOrDefault(r => r.Seed == seed && r.Role == TrainerRole.TunedAdam)))
            .Where(p => p.Learned is { Error: null } && p.Adam is { Error: null })
            .Select(p => (p.Seed, Learned: p.Learned!, Adam: p.Adam!))
            .ToArray();
        var rates = all.Where(r => r.Role == TrainerRole.TunedAdam && r.LearningRate is not null)
            .GroupBy(r => r.LearningRate!.Value).OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Select(g => (Rate: g.Key, Seeds: g.Count())).ToArray();
        // ML.NET's best by mean quality over the seeds each of its trainers ran on; its failures are listed below.
        var best = all.Where(r => r.Role == TrainerRole.MlNet && r.Error is null).GroupBy(r => r.Trainer)
            .Select(g => new MeanRow(g.Key, g.Average(r => r.Quality), g.Average(r => r.Loss), g.Count()))
            .OrderByDescending(m => m.Quality).FirstOrDefault();
        var failed = all.Where(r => r.Error is not null && r.Role != TrainerRole.Other).OrderBy(r => r.Seed).ToArray();
        // The protocol's paired statistic (wins: strictly lower loss), once per metric; no paired seed, no statistic.
        var loss = Paired(pairs.Select(p => p.Learned.Loss).ToArray(), pairs.Select(p => p.Adam.Loss).ToArray());
        var quality = Paired(pairs.Select(p => p.Learned.Quality).ToArray(), pairs.Select(p => p.Adam.Quality).ToArray());
        return new SeedComparison(seeds, pairs.Select(p => p.Seed).ToArray(),
            Mean("learned", pairs.Select(p => p.Learned).ToArray()), Mean("Adam", pairs.Select(p => p.Adam).ToArray()),
            quality is null ? MeanAndStandardError.None : MeanAndStandardError.From(quality),
            loss is null ? MeanAndStandardError.None : MeanAndStandardError.From(loss),
            loss?.Wins ?? 0, rates, best, failed);
    }

    private static PairedComparison? Paired(double[] learned, double[] adam) => learned.Length == 0 ? null : PairedComparison.Compute(learned, adam);

    private static MeanRow? Mean(string trainer, IReadOnlyList<ComparisonRow> rows) =>
        rows.Count == 0 ? null : new MeanRow(trainer, rows.Average(r => r.Quality), rows.Average(r => r.Loss), rows.Count);
}
