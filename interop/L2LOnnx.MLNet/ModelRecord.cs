using System.Text.Json;
using System.Text.Json.Serialization;

namespace L2LOnnx.MLNet;

/// <summary>
/// What a saved model needs, besides its weights, to become a <see cref="LearnedOptimizerTransformer"/> again:
/// the network's shape, the feature column, the scoring graph's metadata and the training report. It travels
/// as JSON inside the scoring graph (output <see cref="ColumnNames.Record"/>), the one part of a saved ML.NET
/// model whose contents a third-party component can read back through public API.
/// </summary>
internal sealed record ModelRecord(
    string Task,
    string FeatureColumn,
    int Inputs,
    int Hidden,
    int Outputs,
    HiddenActivation Activation,
    IReadOnlyDictionary<string, string> Metadata,
    ModelRecord.ReportRecord Report)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        // A stretch of zero-weight rows reports a NaN loss.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="InvalidDataException">The text is not a record this version wrote.</exception>
    public static ModelRecord FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelRecord>(json, Json) ?? throw new InvalidDataException("the model record is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the model record in the scoring graph is not readable: {e.Message}", e);
        }
    }

    /// <summary>The serialisable form of <see cref="TrainingReport"/>.</summary>
    internal sealed record ReportRecord(string Optimizer, int Rows, int Steps, int BatchSize, IReadOnlyList<TrainingProgress> LossHistory, TimeSpan ReadTime, TimeSpan TrainTime)
    {
        public static ReportRecord Of(TrainingReport report) =>
            new(report.Optimizer, report.Rows, report.Steps, report.BatchSize, report.LossHistory, report.ReadTime, report.TrainTime);

        public TrainingReport ToReport() => new(Optimizer, Rows, Steps, BatchSize, LossHistory, ReadTime, TrainTime);
    }
}
