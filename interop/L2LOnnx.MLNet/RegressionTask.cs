using L2LOnnx.MLNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using L2LOnnx.Runtime.Onnx.Writing;
using Onnx;

namespace L2LOnnx.MLNet;

/// <summary>
/// Linear model with squared loss. Targets are standardised (zero mean, unit variance) while training so
/// that the optimizer sees the same scale whatever the label's units; the fitted output layer is rescaled
/// back, so the model predicts in the label's units.
/// </summary>
internal sealed class RegressionTask : PredictionTask
{
    private const string Remedy = "convert it with mlContext.Transforms.Conversion.ConvertType(\"Label\", outputKind: DataKind.Single)";

    public override string Name => "regression";

    public override string[] GraphOutputs => [ColumnNames.ScoreVector];

    public override LabelInfo CheckLabel(SchemaShape.Column label)
    {
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType != NumberDataViewType.Single || label.IsKey)
            throw LabelTypeError(label.Name, $"{label.Kind} of {label.ItemType}", Name, "a Single scalar", Remedy);
        return new LabelInfo(1);
    }

    public override LabelInfo CheckLabel(DataViewSchema.Column label)
    {
        if (label.Type != NumberDataViewType.Single)
            throw LabelTypeError(label.Name, $"{label.Type}", Name, "a Single scalar", Remedy);
        return new LabelInfo(1);
    }

    public override Func<float> LabelReader(DataViewRow row, DataViewSchema.Column label)
    {
        var getter = row.GetGetter<float>(label);
        var value = 0f;
        return () =>
        {
            getter(ref value);
            if (!float.IsFinite(value))
                throw new ArgumentOutOfRangeException("input",
                    $"label column '{label.Name}' is {value} at row {row.Position} (0-based): regression labels must be finite numbers; " +
                    "filter such rows out (mlContext.Data.FilterRowsByMissingValues) before training");
            return value;
        };
    }

    public override (float Scale, float Shift) StandardizeTargets(TrainingSet data)
    {
        var targets = data.Targets;
        var (mean, std) = data.WeightedMoments(targets);
        if (std == 0 || !double.IsFinite(std)) std = 1;
        for (var i = 0; i < targets.Length; i++) targets[i] = (float)((targets[i] - mean) / std);
        return ((float)std, (float)mean);
    }

    public override double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int batch, Span<float> logitGradients)
    {
        double sum = 0;
        for (var i = 0; i < batch; i++)
        {
            var error = logits[i] - targets[i];
            sum += 0.5 * weights[i] * error * error;
            logitGradients[i] = weights[i] * error / batch;
        }
        return sum;
    }

    public override void AddOutputs(OnnxGraphWriter graph, string logits, int outputs)
    {
        graph.Node("Identity", ColumnNames.ScoreVector, [logits]);
        graph.Output(ColumnNames.ScoreVector, TensorProto.Types.DataType.Float, 1);
    }

    public override IEstimator<ITransformer> ColumnAdapter(MLContext ml, LabelInfo label) =>
        ml.Transforms.CustomMapping(new RegressionColumnsMapping().GetMapping(), RegressionColumnsMapping.ContractName)
            .Append(ml.Transforms.DropColumns(GraphOutputs));
}
