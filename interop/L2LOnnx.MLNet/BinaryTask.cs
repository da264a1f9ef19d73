using L2LOnnx.MLNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using L2LOnnx.Runtime.Onnx.Writing;
using Onnx;

namespace L2LOnnx.MLNet;

/// <summary>Logistic model: one logit, log-loss against a Boolean label.</summary>
internal sealed class BinaryTask : PredictionTask
{
    private const string Remedy = "map it to Boolean first, e.g. with mlContext.Transforms.CustomMapping or by loading it as bool";

    public override string Name => "binary classification";

    public override string[] GraphOutputs => [ColumnNames.ScoreVector, ColumnNames.ProbabilityVector, ColumnNames.PredictedLabelVector];

    public override LabelInfo CheckLabel(SchemaShape.Column label)
    {
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType != BooleanDataViewType.Instance)
            throw LabelTypeError(label.Name, $"{label.Kind} of {label.ItemType}", Name, "a Boolean scalar", Remedy);
        return new LabelInfo(1);
    }

    public override LabelInfo CheckLabel(DataViewSchema.Column label)
    {
        if (label.Type != BooleanDataViewType.Instance)
            throw LabelTypeError(label.Name, $"{label.Type}", Name, "a Boolean scalar", Remedy);
        return new LabelInfo(1);
    }

    public override Func<float> LabelReader(DataViewRow row, DataViewSchema.Column label)
    {
        var getter = row.GetGetter<bool>(label);
        var value = false;
        return () =>
        {
            getter(ref value);
            return value ? 1f : 0f;
        };
    }

    public override double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int batch, Span<float> logitGradients)
    {
        double sum = 0;
        for (var i = 0; i < batch; i++)
        {
            var z = logits[i];
            var y = targets[i];
            var w = weights[i];
            // log(1 + e^z) - y z, written so neither exp overflows.
            sum += w * (MathF.Max(z, 0) - z * y + MathF.Log(1 + MathF.Exp(-MathF.Abs(z))));
            logitGradients[i] = w * (1 / (1 + MathF.Exp(-z)) - y) / batch;
        }
        return sum;
    }

    public override void AddOutputs(OnnxGraphWriter graph, string logits, int outputs)
    {
        var zero = graph.Initializer(ColumnNames.InternalPrefix + "zero", [0f]);
        graph.Node("Identity", ColumnNames.ScoreVector, [logits]);
        graph.Node("Sigmoid", ColumnNames.ProbabilityVector, [logits]);
        graph.Node("Greater", ColumnNames.PredictedLabelVector, [logits, zero]);
        graph.Output(ColumnNames.ScoreVector, TensorProto.Types.DataType.Float, 1);
        graph.Output(ColumnNames.ProbabilityVector, TensorProto.Types.DataType.Float, 1);
        graph.Output(ColumnNames.PredictedLabelVector, TensorProto.Types.DataType.Bool, 1);
    }

    public override IEstimator<ITransformer> ColumnAdapter(MLContext ml, LabelInfo label) =>
        ml.Transforms.CustomMapping(new BinaryColumnsMapping().GetMapping(), BinaryColumnsMapping.ContractName)
            .Append(ml.Transforms.DropColumns(GraphOutputs));
}
