using L2LOnnx.MLNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using L2LOnnx.Runtime.Onnx.Writing;
using Onnx;

namespace L2LOnnx.MLNet;

/// <summary>Softmax model: one logit per class, cross-entropy against a key-typed label.</summary>
internal sealed class MulticlassTask : PredictionTask
{
    private const string Remedy = "map it to a key first with mlContext.Transforms.Conversion.MapValueToKey(\"Label\")";

    public override string Name => "multiclass classification";

    public override string[] GraphOutputs => [ColumnNames.Score, ColumnNames.ClassIndexVector];

    public override LabelInfo CheckLabel(SchemaShape.Column label)
    {
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !label.IsKey)
            throw LabelTypeError(label.Name, $"{label.Kind} of {label.ItemType}", Name, "a key-typed scalar", Remedy);
        return new LabelInfo(2, ClassValues.Placeholder(label));
    }

    public override LabelInfo CheckLabel(DataViewSchema.Column label)
    {
        if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint))
            throw LabelTypeError(label.Name, $"{label.Type}", Name, "a key-typed scalar (UInt32 keys)", Remedy);
        if (key.Count < 2 || key.Count > int.MaxValue)
            throw new ArgumentOutOfRangeException("inputSchema",
                $"label column '{label.Name}' has {key.Count} classes: multiclass classification needs at least 2");
        var classes = (int)key.Count;
        return new LabelInfo(classes, ClassValues.Read(label, classes));
    }

    public override Func<float> LabelReader(DataViewRow row, DataViewSchema.Column label)
    {
        var getter = row.GetGetter<uint>(label);
        var value = 0u;
        return () =>
        {
            getter(ref value);
            // Key 0 means missing: a value that was not in the key dictionary when the label was mapped.
            if (value == 0)
                throw new ArgumentOutOfRangeException("input",
                    $"label column '{label.Name}' has a missing key (0) at row {row.Position} (0-based): its value is outside the label's " +
                    "known classes. Build the key dictionary from all labels, or filter such rows out before training");
            return value - 1;
        };
    }

    public override double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int batch, Span<float> logitGradients)
    {
        var classes = logits.Length / batch;
        double sum = 0;
        for (var i = 0; i < batch; i++)
        {
            var z = logits.Slice(i * classes, classes);
            var g = logitGradients.Slice(i * classes, classes);
            var max = float.NegativeInfinity;
            foreach (var v in z) max = MathF.Max(max, v);
            float total = 0;
            for (var k = 0; k < classes; k++) total += g[k] = MathF.Exp(z[k] - max);
            var y = (int)targets[i];
            var w = weights[i];
            sum += w * (MathF.Log(total) + max - z[y]);
            for (var k = 0; k < classes; k++) g[k] = w * (g[k] / total - (k == y ? 1 : 0)) / batch;
        }
        return sum;
    }

    public override void AddOutputs(OnnxGraphWriter graph, string logits, int outputs)
    {
        graph.Node("Softmax", ColumnNames.Score, [logits], OnnxGraphWriter.Int("axis", 0));
        var index = graph.Node("ArgMax", ColumnNames.InternalPrefix + "class_index", [logits], OnnxGraphWriter.Int("axis", 0), OnnxGraphWriter.Int("keepdims", 1));
        graph.Node("Cast", ColumnNames.ClassIndexVector, [index], OnnxGraphWriter.Int("to", (long)TensorProto.Types.DataType.Float));
        graph.Output(ColumnNames.Score, TensorProto.Types.DataType.Float, outputs);
        graph.Output(ColumnNames.ClassIndexVector, TensorProto.Types.DataType.Float, 1);
    }

    public override IEstimator<ITransformer> ColumnAdapter(MLContext ml, LabelInfo label) =>
        ml.Transforms.CustomMapping(new ClassIndexMapping().GetMapping(), ClassIndexMapping.ContractName)
            .Append(ClassValues.MapIndexToLabel(ml, label.ClassValues!))
            .Append(ml.Transforms.DropColumns(ColumnNames.ClassIndexVector, ColumnNames.ClassIndex));
}
