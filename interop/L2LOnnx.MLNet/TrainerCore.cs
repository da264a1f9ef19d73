using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;

namespace L2LOnnx.MLNet;

/// <summary>The work the three public trainers share: check, read, train, and wrap the result as ML.NET transformers.</summary>
internal sealed class TrainerCore
{
    private readonly LearnedOptimizerTrainerOptions options;
    private readonly PredictionTask task;

    // ML.NET's catalogs keep their environment internal, so the transforms that make up the fitted model
    // are built with a context of our own; they save, load and run like any others.
    private readonly MLContext ml;

    public TrainerCore(LearnedOptimizerTrainerOptions options, PredictionTask task)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.task = task;
        ml = new MLContext(options.Seed);
    }

    public LearnedOptimizerTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        options.Validate();
        CheckFeatureName();
        var (features, dimension) = SchemaChecks.Features(input.Schema, options.FeatureColumnName);
        var labelColumn = SchemaChecks.Find(input.Schema, options.LabelColumnName, "label");
        var label = task.CheckLabel(labelColumn);
        using var source = OptimizerSource.Open(options);

        var readClock = Stopwatch.StartNew();
        var data = TrainingSet.Read(input, features, dimension, labelColumn, task);
        readClock.Stop();
        var (scale, shift) = task.StandardizeTargets(data.Targets);

        var network = new Network(dimension, options.HiddenLayerSize, label.Outputs, options.Activation, Math.Min(options.BatchSize, data.Rows));
        using var optimizer = source.Create(network.ParameterCount);
        var training = new MinibatchTraining(data, network, task, options, source.Name, source.DivergenceHint);
        var (theta, history, trainTime) = training.Run(optimizer, new Random(options.Seed));
        network.FoldOutputAffine(theta, scale, shift);

        var metadata = new Dictionary<string, string>
        {
            ["l2l.mlnet.optimizer"] = source.Name,
            ["l2l.mlnet.steps"] = history[^1].Step.ToString(CultureInfo.InvariantCulture),
            ["l2l.mlnet.rows"] = data.Rows.ToString(CultureInfo.InvariantCulture),
        };
        var onnx = ScoringGraph.Write(network, theta, task, options.FeatureColumnName, metadata);
        var scorer = Scorer(onnx, label).Fit(input);
        var report = new TrainingReport(source.Name, data.Rows, history[^1].Step, Math.Min(options.BatchSize, data.Rows), history, readClock.Elapsed, trainTime);
        return new LearnedOptimizerTransformer(scorer, new LearnedModelParameters(network, theta, onnx), report);
    }

    /// <summary>
    /// The schema <see cref="Fit"/> will produce, found by running the same ML.NET transforms' schema
    /// propagation over a placeholder scoring graph of the same shape (SchemaShape cannot be built directly).
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        options.Validate();
        CheckFeatureName();
        SchemaChecks.Features(inputSchema, options.FeatureColumnName);
        var label = task.CheckLabel(SchemaChecks.Find(inputSchema, options.LabelColumnName, "label"));
        var placeholder = new Network(1, options.HiddenLayerSize, label.Outputs, options.Activation, 1);
        var onnx = ScoringGraph.Write(placeholder, new float[placeholder.ParameterCount], task, options.FeatureColumnName, new Dictionary<string, string>());
        return Scorer(onnx, label).GetOutputSchema(inputSchema);
    }

    /// <summary>The feature column becomes the scoring graph's input, so it must not share a name with the graph's own values.</summary>
    private void CheckFeatureName()
    {
        var name = options.FeatureColumnName;
        if (task.GraphOutputs.Contains(name) || name.StartsWith(ColumnNames.InternalPrefix, StringComparison.Ordinal))
            throw new ArgumentOutOfRangeException(nameof(options.FeatureColumnName), name,
                $"feature column '{name}' would collide with the model's own outputs ({string.Join(", ", task.GraphOutputs)}, {ColumnNames.InternalPrefix}*): " +
                "copy it to another name first, e.g. mlContext.Transforms.CopyColumns(\"Features\", \"" + name + "\")");
    }

    private IEstimator<ITransformer> Scorer(byte[] onnx, LabelInfo label) =>
        ml.Transforms.ApplyOnnxModel(task.GraphOutputs, [options.FeatureColumnName], new MemoryStream(onnx, writable: false))
            .Append(task.ColumnAdapter(ml, label));
}
