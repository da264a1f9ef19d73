using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet;

/// <summary>
/// What a learned-optimizer trainer's <c>Fit</c> returns: an ML.NET prediction transformer that adds the
/// standard prediction columns (<c>Score</c>, plus <c>Probability</c> and <c>PredictedLabel</c> for
/// classification), with the fitted weights (<see cref="Model"/>) and the training report attached.
/// </summary>
/// <remarks>
/// Like ML.NET's own prediction transformers it is an <see cref="ISingleFeaturePredictionTransformer{TModel}"/>,
/// so <c>mlContext.*.PermutationFeatureImportance(model.LastTransformer, data)</c> works on it. Inside it is an
/// ordinary chain of ML.NET transformers: ML.NET's ONNX transformer running
/// <see cref="LearnedModelParameters.ScoringModel"/>, stateless column adapters (custom mappings of this
/// assembly) and, for multiclass, value mappings to the label's keys. Saving writes that chain, so
/// <c>mlContext.Model.Load</c> returns a chain that scores identically in any process; ML.NET 5 lets only its
/// own components come back as their own types, so pass what it loaded to <see cref="Restore"/> to get this
/// type back, with <see cref="Model"/> and <see cref="Report"/>.
/// </remarks>
public sealed class LearnedOptimizerTransformer : ISingleFeaturePredictionTransformer<LearnedModelParameters>
{
    private readonly ITransformer scorer;

    internal LearnedOptimizerTransformer(ITransformer scorer, LearnedModelParameters model, TrainingReport report, string featureColumnName)
    {
        this.scorer = scorer;
        Model = model;
        Report = report;
        FeatureColumnName = featureColumnName;
        FeatureColumnType = new VectorDataViewType(NumberDataViewType.Single, model.InputSize);
    }

    /// <summary>The fitted weights and scoring graph.</summary>
    public LearnedModelParameters Model { get; }

    /// <summary>How training went.</summary>
    public TrainingReport Report { get; }

    /// <summary>The feature column the model reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The feature column's type: a vector of <see cref="LearnedModelParameters.InputSize"/> Single values.</summary>
    public DataViewType FeatureColumnType { get; }

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

    /// <summary>
    /// Turns what <c>mlContext.Model.Load</c> returned for a model containing learned-optimizer transformers
    /// back into a chain whose learned-optimizer parts are <see cref="LearnedOptimizerTransformer"/>s again,
    /// with their weights and training report, e.g. for <c>LastTransformer.Model</c> or permutation feature importance.
    /// </summary>
    /// <param name="model">The loaded model (a <see cref="TransformerChain{TLastTransformer}"/>, possibly nested), or one transformer.</param>
    /// <param name="inputSchema">The input schema <c>Model.Load</c> gave with it.</param>
    /// <returns>
    /// A <see cref="TransformerChain{TLastTransformer}"/> of the same transformers with the learned-optimizer parts
    /// replaced (every part keeps the scope "everything"), or <paramref name="model"/> itself if it has none.
    /// It scores exactly as <paramref name="model"/> does.
    /// </returns>
    /// <exception cref="InvalidDataException">A learned-optimizer part was saved by a version that did not record its weights; retrain it.</exception>
    public static ITransformer Restore(ITransformer model, DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        return LoadedModelRecovery.Restore(model, inputSchema);
    }
}
