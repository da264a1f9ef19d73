using System.Globalization;
using Google.Protobuf;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Runtime.Onnx.Writing;
using L2LOnnx.Train.Optimizers;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// Writes a TorchSharp <see cref="MlpOptimizer"/> as an ONNX file under optimizer contract v1: inputs
/// <c>grad</c> [N], <c>state_features</c> [N, S] and, when the features use it, <c>param</c> [N];
/// outputs <c>update</c> [N] and <c>state_features_out</c>. Opset 17, IR version 8.
/// </summary>
/// <remarks>
/// Only elementwise operators, Slice, Concat, Unsqueeze/Squeeze and MatMul with constant weights
/// (Mul, Add, Div, Sqrt, Tanh, Relu, Exp), in the order <see cref="CoordinateFeatures"/> and
/// <see cref="MlpOptimizer.Step"/> compute, with the same float32 constants.
/// </remarks>
public static class MlpOptimizerExporter
{
    /// <summary>Value of <c>l2l.architecture</c> for this family.</summary>
    public const string Architecture = "mlp-coordinatewise";

    /// <summary>The state input's name.</summary>
    public const string StateName = ContractV1.StatePrefix + "features";

    /// <summary>Metadata key: the hidden layer sizes, comma-separated.</summary>
    public const string HiddenSizesKey = "l2l.mlp.hidden_sizes";

    /// <summary>Metadata key: the features, as <see cref="CoordinateFeatureConfig.Describe"/> writes them.</summary>
    public const string FeaturesKey = "l2l.mlp.features";

    /// <summary>Metadata key: multiply-adds per coordinate and step of the network.</summary>
    public const string MultiplyAddsKey = "l2l.mlp.multiply_adds";

    /// <summary>Initializer holding the lower clip of the learned log step (step adaptation only).</summary>
    public const string LogStepMinName = "log_step_min";

    /// <summary>Initializer holding the upper clip of the learned log step, the ceiling (step adaptation only).</summary>
    public const string LogStepMaxName = "log_step_max";

    private const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float;

    private static readonly OnnxDimension Coordinates = OnnxDimension.Symbolic("N");

    /// <summary>Builds the ONNX model in memory.</summary>
    public static ModelProto Build(MlpOptimizer optimizer, ExportMetadata metadata) => Build(optimizer, metadata, optimizer.Config);

    /// <summary>Builds the model of <paramref name="optimizer"/>'s weights under another configuration of the same shape (the warm start's check).</summary>
    internal static ModelProto Build(MlpOptimizer optimizer, ExportMetadata metadata, MlpOptimizerConfig config)
    {
        var features = config.Features;
        var k = features.Momenta;
        var graph = new OnnxGraphWriter(
            "mlp_optimizer",
            $"Learned optimizer: {config.Describe()}. For every coordinate independently: update the moving averages in " +
            "state_features, compute Adam-normalised features, run them through the MLP; new param = param + update.");

        graph.Input(ContractV1.GradInput, Float, "raw gradient, one entry per coordinate", Coordinates);
        graph.Input(StateName, Float, $"per coordinate: {k} momenta, the second moment, their bias corrections 1 - beta^t, the step count{(config.StepAdaptation ? ", the learned log step" : "")} (zeros at the first step)", Coordinates, OnnxDimension.Fixed(config.StateSize));
        if (features.UseParameter) graph.Input(ContractV1.ParamInput, Float, "current parameter values", Coordinates);

        var axis1 = graph.Int64Initializer("axes_1", 1);
        var decays = features.AccumulatorDecays();
        var decay = graph.Initializer("accumulator_decays", decays, 1, k + 1);
        var oneMinusDecay = graph.Initializer("accumulator_one_minus_decays", decays.Select(d => 1f - d).ToArray(), 1, k + 1);

        var g = graph.Node("Unsqueeze", "grad_column", ContractV1.GradInput, axis1);
        var g2 = graph.Node("Mul", "grad_squared", g, g);
        var targets = Concat(graph, "accumulator_targets", Enumerable.Repeat(g, k).Append(g2).ToArray());
        var averages = Columns(graph, "averages", StateName, 0, k + 1);
        var corrections = Columns(graph, "corrections", StateName, k + 1, 2 * k + 2);
        var step = Columns(graph, "step", StateName, 2 * k + 2, 2 * k + 3);
        var nextAverages = graph.Node("Add", "next_averages", graph.Node("Mul", "averages_decayed", averages, decay), graph.Node("Mul", "targets_weighted", targets, oneMinusDecay));
        var nextCorrections = graph.Node("Add", "next_corrections", graph.Node("Mul", "corrections_decayed", corrections, decay), oneMinusDecay);
        var nextStep = graph.Node("Add", "next_step", step, graph.Scalar("one", 1f));

        var corrected = graph.Node("Div", "corrected", nextAverages, nextCorrections);
        var rms = graph.Node("Add", "rms", graph.Node("Sqrt", "rms_raw", Columns(graph, "second_moment", corrected, k, k + 1)), graph.Scalar("epsilon", (float)features.Epsilon));
        var columns = new List<string> { graph.Node("Div", "normalised", Concat(graph, "moments", g, Columns(graph, "momenta", corrected, 0, k)), rms) };
        if (features.UseParameter) columns.Add(graph.Node("Unsqueeze", "param_column", ContractV1.ParamInput, axis1));
        if (features.Times.Count > 0)
        {
            var inverse = graph.Initializer("inverse_time_scales", features.Times.Select(t => (float)(1 / t)).ToArray(), 1, features.Times.Count);
            columns.Add(graph.Node("Tanh", "time_features", graph.Node("Mul", "time_scaled", nextStep, inverse)));
        }
        var x = columns.Count == 1 ? columns[0] : Concat(graph, "features", columns.ToArray());
        var input = x;
        string? logStep = null;
        if (config.StepAdaptation)
        {
            // The same operations as CoordinateFeatures.Agreement and MlpOptimizer.Step, in the same order.
            var fs = features.StateSize;
            var m = MlpOptimizer.AgreementMomentum(features);
            logStep = Columns(graph, "log_step", StateName, fs, fs + 1);
            var previousCorrection = graph.Node("Max", "previous_correction", Columns(graph, "previous_correction_raw", StateName, k + 1 + m, k + 2 + m), graph.Scalar("correction_floor", CoordinateFeatures.AgreementCorrectionFloor));
            var previous = graph.Node("Div", "previous_momentum", Columns(graph, "previous_momentum_raw", StateName, m, m + 1), previousCorrection);
            var agreement = graph.Node("Tanh", "agreement", graph.Node("Mul", "agreement_raw", Columns(graph, "normalised_grad", "normalised", 0, 1), graph.Node("Div", "previous_normalised", previous, rms)));
            input = Concat(graph, "network_input", x, agreement, graph.Node("Mul", "log_step_input", logStep, graph.Scalar("inverse_step_range", (float)(1 / config.StepAdaptationRange))));
        }

        var h = input;
        for (var layer = 0; layer < optimizer.Hidden.Count; layer++)
            h = graph.Node("Relu", $"hidden{layer}", Dense(graph, $"hidden{layer}", h, optimizer.Hidden[layer]));
        var output = graph.Node("Add", "output", Dense(graph, "head", h, optimizer.Head),
            graph.Node("MatMul", "skip", input, graph.Initializer("skip_W", Transposed(optimizer.Skip.weight!), config.InputCount, config.OutputCount)));
        var direction = Columns(graph, "direction", output, 0, 1);
        if (config.BoundedDirection) direction = graph.Node("Tanh", "direction_bounded", direction);
        var magnitude = graph.Node("Exp", "step_multiplier",
            graph.Node("Mul", "log_step_multiplier", graph.Node("Tanh", "magnitude_bounded", Columns(graph, "magnitude", output, 1, 2)), graph.Scalar("magnitude_range", (float)config.MagnitudeRange)));
        var scaled = graph.Node("Mul", "update_scaled", graph.Node("Mul", "direction_scaled", direction, magnitude), graph.Scalar("step_size", (float)config.StepSize));
        if (logStep is null)
        {
            Concat(graph, StateName + ContractV1.StateOutputSuffix, nextAverages, nextCorrections, nextStep);
        }
        else
        {
            var change = graph.Node("Mul", "log_step_change", graph.Node("Tanh", "log_step_change_bounded", Columns(graph, "log_step_change_raw", output, 2, 3)), graph.Scalar("step_adaptation_rate", (float)config.StepAdaptationRate));
            var nextLogStep = graph.Node("Clip", "next_log_step", graph.Node("Add", "log_step_moved", logStep, change), graph.Scalar(LogStepMinName, -(float)config.StepAdaptationRange), graph.Scalar(LogStepMaxName, (float)config.LogStepMax));
            scaled = graph.Node("Mul", "update_adapted", scaled, graph.Node("Exp", "step_factor", nextLogStep));
            Concat(graph, StateName + ContractV1.StateOutputSuffix, nextAverages, nextCorrections, nextStep, nextLogStep);
        }
        graph.Node("Squeeze", ContractV1.UpdateOutput, scaled, axis1);

        graph.Output(ContractV1.UpdateOutput, Float, "update to add to each parameter", Coordinates);
        graph.Output(StateName + ContractV1.StateOutputSuffix, Float, "the state for the next step", Coordinates, OnnxDimension.Fixed(config.StateSize));

        // The weights hash comes first and the metadata hash last (ToModel stamps), so a cut anywhere
        // in the metadata is refused at load (docs/contract-v1.md, "Truncation").
        var model = graph.ToModel("L2LOnnx", LstmOptimizerExporter.ProducerVersion,
            Metadata(config, metadata, graph.WeightsHash()).Select(m => KeyValuePair.Create(m.Key, m.Value)));
        model.Domain = "ai.l2lonnx";
        model.ModelVersion = 1;
        model.DocString = "A learned optimizer under the L2LOnnx ONNX optimizer contract v1 (docs/contract-v1.md).";
        return model;
    }

    /// <summary>Exports to <paramref name="path"/>, atomically.</summary>
    public static void Save(MlpOptimizer optimizer, string path, ExportMetadata metadata) =>
        AtomicFile.WriteAllBytes(path, Build(optimizer, metadata).ToByteArray());

    private static string Dense(OnnxGraphWriter graph, string name, string input, Linear layer)
    {
        var outputs = (int)layer.weight!.shape[0];
        var inputs = (int)layer.weight!.shape[1];
        var product = graph.Node("MatMul", $"{name}_matmul", input, graph.Initializer($"{name}_W", Transposed(layer.weight!), inputs, outputs));
        return graph.Node("Add", $"{name}_linear", product, graph.Initializer($"{name}_B", Values(layer.bias!), outputs));
    }

    private static string Columns(OnnxGraphWriter graph, string name, string input, long start, long end) =>
        graph.Node("Slice", name, input, graph.Int64Initializer($"{name}_start", start), graph.Int64Initializer($"{name}_end", end), graph.Int64Initializer($"{name}_axis", 1));

    private static string Concat(OnnxGraphWriter graph, string name, params string[] inputs) =>
        graph.Node("Concat", name, inputs, new[] { name }, "", OnnxGraphWriter.Int("axis", 1));

    /// <summary>
    /// The clip of the learned log step recorded in <paramref name="graph"/> (the state's last column), or null when
    /// the file has no step adaptation or was not written by this exporter.
    /// </summary>
    public static (float Min, float Max)? LogStepBounds(L2LOnnx.Runtime.Onnx.OnnxGraph graph) =>
        Scalar(graph, LogStepMinName) is { } min && Scalar(graph, LogStepMaxName) is { } max ? (min, max) : null;

    private static float? Scalar(L2LOnnx.Runtime.Onnx.OnnxGraph graph, string name) =>
        graph.TryGetInitializer(name, out var tensor) && tensor.DataType == L2LOnnx.Runtime.Onnx.OnnxDataType.Float && tensor.ToFloatArray() is [var value]
            ? value
            : null;

    private static IEnumerable<(string Key, string Value)> Metadata(MlpOptimizerConfig config, ExportMetadata metadata, string weightsHash)
    {
        var derived = new HashSet<string>(LstmMetadataKeys.Derived, StringComparer.Ordinal) { HiddenSizesKey, FeaturesKey, MultiplyAddsKey };
        yield return (LstmMetadataKeys.WeightsHash, weightsHash);
        yield return (ContractV1.FormatKey, ContractV1.FormatVersion);
        yield return (ContractV1.ArchitectureKey, Architecture);
        yield return (ContractV1.TrainedOnKey, metadata.TrainedOn);
        yield return (ContractV1.ProducerKey, $"L2LOnnx {LstmOptimizerExporter.ProducerVersion}");
        yield return (HiddenSizesKey, string.Join(",", config.HiddenSizes.Select(h => h.ToString(CultureInfo.InvariantCulture))));
        yield return (FeaturesKey, config.Features.Describe());
        yield return (MultiplyAddsKey, config.MultiplyAdds.ToString(CultureInfo.InvariantCulture));
        yield return (LstmMetadataKeys.OutputScale, config.StepSize.ToString("R", CultureInfo.InvariantCulture));
        if (metadata.Group is { } group)
            yield return (LstmMetadataKeys.Group, group);
        foreach (var (key, value) in metadata.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            var full = key.StartsWith("l2l.", StringComparison.Ordinal) ? key : "l2l." + key;
            if (derived.Contains(full))
                throw new ArgumentException($"metadata detail '{key}' would overwrite '{full}', which the exporter derives from the network; drop it from Details", nameof(metadata));
            yield return (full, value);
        }
    }

    private static float[] Transposed(Tensor weight)
    {
        using var t = weight.detach().t().contiguous().cpu();
        return t.data<float>().ToArray();
    }

    private static float[] Values(Tensor tensor)
    {
        using var contiguous = tensor.detach().contiguous().cpu();
        return contiguous.data<float>().ToArray();
    }
}
