using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet;

/// <summary>
/// What a learned-optimizer trainer's <c>Fit</c> returns: an ML.NET transformer that adds the standard
/// prediction columns (<c>Score</c>, plus <c>Probability</c> and <c>PredictedLabel</c> for classification),
/// with the fitted weights and the training report attached.
/// </summary>
/// <remarks>
/// Inside it is an ordinary chain of ML.NET transformers: ML.NET's ONNX transformer running
/// <see cref="LearnedModelParameters.ScoringModel"/>, stateless column adapters (custom mappings of this
/// assembly) and, for multiclass, a value mapping to the label's keys. Saving writes that chain, so
/// <c>mlContext.Model.Load</c> returns it as a <see cref="TransformerChain{TLastTransformer}"/> that scores
/// identically; <see cref="Model"/> and <see cref="Report"/> are not part of the saved file.
/// </remarks>
public sealed class LearnedOptimizerTransformer : ITransformer
{
    private readonly ITransformer scorer;

    internal LearnedOptimizerTransformer(ITransformer scorer, LearnedModelParameters model, TrainingReport report)
    {
        this.scorer = scorer;
        Model = model;
        Report = report;
    }

    /// <summary>The fitted weights and scoring graph.</summary>
    public LearnedModelParameters Model { get; }

    /// <summary>How training went.</summary>
    public TrainingReport Report { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => scorer.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => scorer.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => scorer.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public IDataView Transform(IDataView input) => scorer.Transform(input);

    /// <summary>Saves the inner ML.NET transformer chain (which loads without this type).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => scorer.Save(ctx);
}
