using System.Globalization;
using System.Text;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// The verdict of a comparison (<c>summary.md</c>): per task and epochs, whether the learned optimizer's
/// trainer is at least as good as the same trainer with tuned Adam, and how far it is from ML.NET's best.
/// </summary>
internal static class ComparisonSummary
{
    /// <summary>
    /// Per task and epochs: the learned trainer, the same trainer with Adam at its validation-picked rate, and
    /// ML.NET's best trainer (by test accuracy, R² for regression), with the targets of issue 10 judged.
    /// Rows from several seeds (<c>--seeds</c>) get <see cref="PairedSummary"/>'s table instead, since one
    /// row per task would otherwise show whichever seed came first.
    /// </summary>
    public static string Markdown(IReadOnlyList<ComparisonRow> rows)
    {
        if (rows.Select(r => r.Seed).Distinct().Skip(1).Any()) return PairedSummary.Markdown(rows);
        var text = new StringBuilder("| task | --epochs | learned: test accuracy / log-loss (R²) | same trainer, Adam (lr picked on validation) | ML.NET's best trainer | learned vs Adam | learned vs ML.NET best |\n|---|---:|---:|---:|---:|---|---|\n");
        foreach (var group in rows.GroupBy(r => (r.Task, r.Epochs)))
        {
            var learned = group.FirstOrDefault(r => r.Role == TrainerRole.Learned);
            var adam = group.FirstOrDefault(r => r.Role == TrainerRole.TunedAdam);
            var mlnet = group.Where(r => r.Role == TrainerRole.MlNet && r.Error is null).OrderByDescending(r => r.Quality).FirstOrDefault();
            string Show(ComparisonRow? r) => r is null ? "-" : r.Error is not null ? r.Error
                : string.Join(" / ", r.Metrics.Where(m => m.Name is "log-loss" or "accuracy" or "R²").Select(m => m.Value.ToString(m.Name == "accuracy" ? "0.000" : "0.0000", CultureInfo.InvariantCulture)));
            // Rounded before formatting: a difference that rounds to zero would otherwise print as "-+0.0" or "-0.0".
            // "At least as good" asks for both: no lower accuracy (R²) and no higher log-loss (RMSE).
            string VersusAdam() => learned?.Error is null && adam?.Error is null && learned is not null && adam is not null
                ? (learned.Quality >= adam.Quality && learned.Loss <= adam.Loss ? "at least as good" : "worse") : learned?.Error ?? "-";
            string VersusMlNet() => learned?.Error is null && learned is not null && mlnet is not null
                ? GapToBest(learned.Quality, mlnet.Quality, learned.Metrics.Any(m => m.Name == "accuracy"))
                : "-";
            text.Append(CultureInfo.InvariantCulture,
                $"| {group.Key.Task} | {group.Key.Epochs} | {Show(learned)} | {Show(adam)}{(adam?.LearningRate is { } lr ? string.Create(CultureInfo.InvariantCulture, $" (lr {lr:G3})") : "")} | " +
                $"{Show(mlnet)}{(mlnet is null ? "" : $" ({mlnet.Trainer})")} | {VersusAdam()} | {VersusMlNet()} |\n");
        }
        return text.ToString();
    }

    /// <summary>
    /// The learned trainer's quality minus ML.NET's best's, in the target's units: points of accuracy, or R²
    /// for regression. Rounded before formatting, so that a gap that rounds to zero prints as 0.0, not -0.0.
    /// </summary>
    internal static string GapToBest(double learnedQuality, double bestQuality, bool classification) => classification
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Round(100 * (learnedQuality - bestQuality), 1):+0.0;-0.0;0.0} points of accuracy")
        : string.Create(CultureInfo.InvariantCulture, $"R² {Math.Round(learnedQuality - bestQuality, 3):+0.000;-0.000;0.000}");
}
