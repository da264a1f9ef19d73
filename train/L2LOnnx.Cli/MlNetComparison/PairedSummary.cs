using System.Globalization;
using System.Text;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// <c>summary.md</c> of a run over several seeds (<c>--seeds</c>): per task and epochs, the means over seeds,
/// the learned-minus-Adam differences paired by seed with their standard errors, the wins, the verdict and
/// the distance from ML.NET's best; the statistic itself is <see cref="PairedOverSeeds"/>.
/// </summary>
internal static class PairedSummary
{
    /// <summary>One row per task and epochs of <paramref name="rows"/>, which may hold any number of seeds.</summary>
    public static string Markdown(IReadOnlyList<ComparisonRow> rows)
    {
        var text = new StringBuilder(
            "| task | --epochs | seeds paired | learned: mean test accuracy / log-loss (R² / RMSE) | same trainer, Adam: mean (lr picked on validation) " +
            "| learned − Adam: accuracy (R²), mean ± SE | learned − Adam: log-loss (RMSE), mean ± SE | wins: learned's loss lower " +
            "| learned vs Adam (by the means) | ML.NET's best trainer (by mean accuracy, R²) | learned vs ML.NET best | failed rows |\n" +
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---|\n");
        foreach (var group in rows.GroupBy(r => (r.Task, r.Epochs)))
        {
            var c = PairedOverSeeds.Compare(group);
            var classification = group.Any(r => r.Metrics.Any(m => m.Name == "accuracy"));
            var rates = c.AdamRates.Count == 0 ? ""
                : " (lr " + string.Join(", ", c.AdamRates.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Rate:G3} x{r.Seeds}"))) + ")";
            var verdict = c.AtLeastAsGood switch
            {
                null => "-",
                var good => (good.Value ? "at least as good" : "worse") + (c.TieWithinNoise ? " (tie within noise: both differences within 2 SE of 0)" : ""),
            };
            text.Append(CultureInfo.InvariantCulture,
                $"| {group.Key.Task} | {group.Key.Epochs} | {c.PairedSeeds.Count} of {c.Seeds.Count} | {Means(c.Learned)} | {Means(c.Adam)}{rates} " +
                $"| {Difference(c.QualityDifference)} | {Difference(c.LossDifference)} | {(c.PairedSeeds.Count == 0 ? "-" : $"{c.Wins} of {c.PairedSeeds.Count}")} " +
                $"| {verdict} | {Means(c.BestMlNet)}{(c.BestMlNet is null ? "" : $" ({c.BestMlNet.Trainer})")} | {VersusMlNet(c, classification)} | {Failures(c)} |\n");
        }
        return text.ToString();
    }

    private static string Means(MeanRow? row) => row is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{row.Quality:0.0000} / {row.Loss:0.0000}");

    /// <summary>A difference as mean ± SE, rounded before formatting so that one that rounds to zero prints as 0.0000, not -0.0000.</summary>
    private static string Difference(MeanAndStandardError d) => d.Count switch
    {
        0 => "-",
        1 => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(d.Mean, 4):+0.0000;-0.0000;0.0000} (one seed: no SE)"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(d.Mean, 4):+0.0000;-0.0000;0.0000} ± {d.StandardError:0.0000}"),
    };

    private static string VersusMlNet(SeedComparison c, bool classification) => c.Learned is null || c.BestMlNet is null ? "-"
        : ComparisonSummary.GapToBest(c.Learned.Quality, c.BestMlNet.Quality, classification);

    /// <summary>Each failing trainer with its error, how many seeds of the run it failed on, and which.</summary>
    private static string Failures(SeedComparison c) => c.Failed.Count == 0 ? "none"
        : string.Join("; ", c.Failed.GroupBy(r => (Name: r.Role switch { TrainerRole.Learned => "learned", TrainerRole.TunedAdam => "Adam", _ => r.Trainer }, r.Error))
            .Select(g => string.Create(CultureInfo.InvariantCulture,
                $"{g.Key.Name} {g.Key.Error} on {g.Count()} of {c.Seeds.Count} seeds ({string.Join(", ", g.Select(r => r.Seed))})")));
}
