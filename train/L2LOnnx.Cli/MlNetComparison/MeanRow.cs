namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>One trainer's mean quality and loss over <paramref name="Seeds"/> seeds.</summary>
/// <param name="Trainer">The trainer's name.</param>
/// <param name="Quality">Mean accuracy, or R² for regression (<see cref="ComparisonRow.Quality"/>).</param>
/// <param name="Loss">Mean log-loss, or RMSE for regression (<see cref="ComparisonRow.Loss"/>).</param>
/// <param name="Seeds">How many seeds the means are over.</param>
internal sealed record MeanRow(string Trainer, double Quality, double Loss, int Seeds);
