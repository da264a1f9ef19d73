using Microsoft.ML;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// One task's splits, cached, and the preparation every trainer's pipeline starts with (so that all
/// trainers see the same features and labels).
/// </summary>
internal sealed record ComparisonTask(string Title, TaskKind Kind, IDataView Train, IDataView Test, IEstimator<ITransformer> Preparation);
