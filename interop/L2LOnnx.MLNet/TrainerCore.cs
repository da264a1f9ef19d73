using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace L2LOnnx.MLNet;

/// <summary>The work the three public trainers share: check, read, train, and wrap the result as ML.NET transformers.</summary>
internal sealed class TrainerCore
{
    private readonly LearnedOptimizerTrainerOptions options;
    private readonly PredictionTask task;

    // The user's MLContext, as ML.NET's trainers hold it: training reports to its Log.
    private readonly IHost host;

    // ML.NET's environment does not give back the MLContext whose catalogs build transforms, so the
    // transforms that make up the fitted model are built with a context of our own; they save, load and
    // run like any others.
    private readonly MLContext ml;

    public TrainerCore(IHostEnvironment environment, string name, LearnedOptimizerTrainerOptions options, PredictionTask task)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.task = task;
        host = environment.Register(name);
        ml = new MLContext(options.Seed);
    }

    public LearnedOptimizerTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        options.Validate();
        CheckFeatureName();
        var (features, dimension) = SchemaChecks.Features(input.Schema, options.FeatureColumnName);
        var labelColumn = SchemaChecks.Find(input.Schema, options.LabelColumnName, "label");
        var weightColumn = SchemaChecks.Weight(input.Schema, options.ExampleWeightColumnName);
        var label = task.CheckLabel(labelColumn);
        using var source = OptimizerSource.Open(options);
        using var channel = host.Start("Training");

        var readClock = Stopwatch.StartNew();
        var data = TrainingSet.Read(input, features, dimension, labelColumn, weightColumn, task);
        readClock.Stop();
        var (scale, shift) = task.StandardizeTargets(data);
        var featureMeans = options.CenterFeatures ? data.CenterFeatures() : null;

        var batchSize = Math.Min(options.BatchSize, data.Rows);
        var network = new Network(dimension, options.HiddenLayerSize, label.Outputs, options.Activation, batchSize);
        channel.Info(MessageSensitivity.None,
            $"{task.Name}: {data.Rows} rows x {dimension} features{(weightColumn is null ? "" : $", weighted by '{weightColumn.Value.Name}'")}, " +
            $"{network.ParameterCount} parameters, minibatches of {batchSize}, optimizer {source.Name}");
        void Report(TrainingProgress p)
        {
            channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                $"step {p.Step} of {p.TotalSteps} (epoch {p.Epoch:0.##}): mean training loss {p.Loss:0.#####}, {p.Elapsed.TotalSeconds:0.00} s"));
            options.Progress?.Invoke(p);
        }

        using var optimizer = source.Create(network.ParameterCount);
        var training = new MinibatchTraining(data, network, task, options, source.Name, source.DivergenceHint, Report);
        var (theta, history, trainTime) = training.Run(optimizer, new Random(options.Seed));
        network.FoldOutputAffine(theta, scale, shift);
        if (featureMeans is not null) network.FoldInputShift(theta, featureMeans);

        var metadata = new Dictionary<string, string>
        {
            ["l2l.mlnet.optimizer"] = source.Name,
            ["l2l.mlnet.steps"] = history[^1].Step.ToString(CultureInfo.InvariantCulture),
            ["l2l.mlnet.rows"] = data.Rows.ToString(CultureInfo.InvariantCulture),
        };
        var report = new TrainingReport(source.Name, data.Rows, history[^1].Step, batchSize, history, readClock.Elapsed, trainTime);
        var record = new ModelRecord(task.Name, options.FeatureColumnName, network.Inputs, network.Hidden, network.Outputs, network.Activation,
            metadata, ModelRecord.ReportRecord.Of(report)).ToJson();
        var onnx = ScoringGraph.Write(network, theta, task, options.FeatureColumnName, metadata, record);
        var scorer = Scorer(onnx, label).Fit(input);
        channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
            $"trained in {report.Steps} steps ({report.Epochs:0.##} epochs), {trainTime.TotalSeconds:0.00} s after reading the data in {readClock.Elapsed.TotalSeconds:0.00} s; final mean training loss {report.FinalLoss:0.#####}"));
        return new LearnedOptimizerTransformer(scorer, new LearnedModelParameters(network, theta, onnx), report, options.FeatureColumnName);
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
        SchemaChecks.Weight(inputSchema, options.ExampleWeightColumnName);
        var label = task.CheckLabel(SchemaChecks.Find(inputSchema, options.LabelColumnName, "label"));
        var placeholder = new Network(1, options.HiddenLayerSize, label.Outputs, options.Activation, 1);
        var onnx = ScoringGraph.Write(placeholder, new float[placeholder.ParameterCount], task, options.FeatureColumnName, new Dictionary<string, string>(), "");
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
        ml.Transforms.ApplyOnnxModel([.. task.GraphOutputs, .. ScoringGraph.StateOutputs], [options.FeatureColumnName], new MemoryStream(onnx, writable: false))
            .Append(ml.Transforms.DropColumns(ScoringGraph.StateOutputs))
            .Append(task.ColumnAdapter(ml, label));
}
