using L2LOnnx.MLNet.Mapping;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Onnx;

namespace L2LOnnx.MLNet;

/// <summary>
/// Finds, in a model ML.NET loaded, the transformer chains a <see cref="LearnedOptimizerTransformer"/> saved,
/// and wraps each in a <see cref="LearnedOptimizerTransformer"/> again. Such a chain starts with ML.NET's ONNX
/// transformer and contains one of this assembly's custom mappings; its scoring graph carries θ and the
/// <see cref="ModelRecord"/> as outputs (see <see cref="ScoringGraph"/>), read by running that transformer on
/// one placeholder row.
/// </summary>
internal static class LoadedModelRecovery
{
    public static ITransformer Restore(ITransformer model, DataViewSchema inputSchema)
    {
        if (IsSavedLearnedTransformer(model, out var onnx)) return Recover(model, onnx, inputSchema);
        if (model is not IEnumerable<ITransformer> chain) return model;

        var parts = new List<ITransformer>();
        var schema = inputSchema;
        var changed = false;
        foreach (var part in chain)
        {
            var restored = Restore(part, schema);
            changed |= !ReferenceEquals(restored, part);
            parts.Add(restored);
            schema = part.GetOutputSchema(schema);
        }
        return changed ? new TransformerChain<ITransformer>([.. parts]) : model;
    }

    private static bool IsSavedLearnedTransformer(ITransformer model, out OnnxTransformer onnx)
    {
        onnx = null!;
        if (model is not TransformerChain<ITransformer> chain || chain.FirstOrDefault() is not OnnxTransformer first) return false;
        onnx = first;
        return chain.Skip(1).Any(HasOurMapping);
    }

    private static bool HasOurMapping(ITransformer transformer)
    {
        if (transformer is IEnumerable<ITransformer> chain) return chain.Any(HasOurMapping);
        var type = transformer.GetType();
        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(CustomMappingTransformer<,>)
            && type.GetGenericArguments()[0].Assembly == typeof(BinaryOnnxOutputs).Assembly;
    }

    private static LearnedOptimizerTransformer Recover(ITransformer scorer, OnnxTransformer onnx, DataViewSchema inputSchema)
    {
        var outputs = onnx.GetOutputSchema(inputSchema);
        if (outputs.GetColumnOrNull(ColumnNames.Record) is not { } recordColumn || outputs.GetColumnOrNull(ColumnNames.Parameters) is not { } parametersColumn)
            throw new InvalidDataException(
                "this learned-optimizer model was saved by an L2LOnnx.MLNet version that did not record its weights in the scoring graph; " +
                "it still scores, but to get its weights and report back, train and save it again");

        VBuffer<ReadOnlyMemory<char>> recordText = default;
        VBuffer<float> parameters = default;
        var scored = onnx.Transform(new PlaceholderRow(inputSchema));
        using (var cursor = scored.GetRowCursor([recordColumn, parametersColumn]))
        {
            if (!cursor.MoveNext()) throw new InvalidDataException("the scoring graph produced no row for the model record");
            cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(recordColumn)(ref recordText);
            cursor.GetGetter<VBuffer<float>>(parametersColumn)(ref parameters);
        }

        var json = recordText.GetItemOrDefault(0).ToString();
        var record = ModelRecord.FromJson(json);
        var task = PredictionTask.FromName(record.Task) ?? throw new InvalidDataException($"the model record names an unknown task '{record.Task}'");
        var network = new Network(record.Inputs, record.Hidden, record.Outputs, record.Activation, 1);
        var theta = parameters.DenseValues().ToArray();
        if (theta.Length != network.ParameterCount)
            throw new InvalidDataException($"the scoring graph holds {theta.Length} parameters, but its record describes a network of {network.ParameterCount}");
        var bytes = ScoringGraph.Write(network, theta, task, record.FeatureColumn, record.Metadata, json);
        return new LearnedOptimizerTransformer(scorer, new LearnedModelParameters(network, theta, bytes), record.Report.ToReport(), record.FeatureColumn);
    }
}
