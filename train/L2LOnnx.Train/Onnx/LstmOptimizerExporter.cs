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
/// Writes a TorchSharp <see cref="LstmOptimizer"/> as an ONNX file that obeys optimizer contract v1:
/// inputs <c>grad</c> [N] and <c>state_lstm{l}_{h,c}</c> [N, H], outputs <c>update</c> [N] and the
/// states' <c>_out</c>. Opset 17 and IR version 8, so that onnx 1.12-era tools accept it.
/// </summary>
/// <remarks>
/// Each layer is one ONNX <c>LSTM</c> node run for a single time step over a batch of N coordinates.
/// PyTorch orders the gates i, f, g, o; ONNX orders them i, o, f, c, so the weight blocks are permuted;
/// ONNX's bias is <c>[Wb; Rb]</c>, i.e. PyTorch's <c>bias_ih</c> then <c>bias_hh</c>.
/// </remarks>
public static class LstmOptimizerExporter
{
    /// <summary>The ONNX opset the exporter targets.</summary>
    public const int Opset = OnnxGraphWriter.Opset;

    /// <summary>The ONNX IR version the exporter writes.</summary>
    public const int IrVersion = OnnxGraphWriter.IrVersion;

    /// <summary>Value of <c>l2l.architecture</c> for this family.</summary>
    public const string Architecture = "lstm-coordinatewise";

    /// <summary>ONNX gate block k comes from PyTorch gate block <c>TorchGateOfOnnxGate[k]</c>.</summary>
    internal static readonly int[] TorchGateOfOnnxGate = { 0, 3, 1, 2 };

    /// <summary>Name of state input <c>part</c> ("h" or "c") of LSTM layer <paramref name="layer"/>.</summary>
    public static string StateName(int layer, string part) => LstmStateNames.Of(layer, part);

    /// <summary>Builds the ONNX model in memory.</summary>
    public static ModelProto Build(LstmOptimizer optimizer, ExportMetadata metadata)
    {
        var config = optimizer.Config;
        var hidden = config.HiddenSize;
        var graph = new OnnxGraphWriter(
            "lstm_optimizer",
            $"Learned optimizer (Andrychowicz et al. 2016): {config.Describe()}. " +
            "For every coordinate independently: preprocess the gradient, run it through the LSTM stack with that " +
            "coordinate's state, and map the last hidden state to the update; new param = param + update.");

        graph.Input(ContractV1.GradInput, Float, "raw gradient, one entry per coordinate", Coordinates);
        for (var layer = 0; layer < config.Layers; layer++)
        {
            graph.Input(StateName(layer, "h"), Float, $"LSTM layer {layer} hidden state per coordinate (zeros at the first step)", Coordinates, OnnxDimension.Fixed(hidden));
            graph.Input(StateName(layer, "c"), Float, $"LSTM layer {layer} cell state per coordinate (zeros at the first step)", Coordinates, OnnxDimension.Fixed(hidden));
        }

        var axis0 = graph.Int64Initializer("axes_0", 0);
        var axis1 = graph.Int64Initializer("axes_1", 1);
        var x = Preprocess(graph, config, axis1);

        for (var layer = 0; layer < config.Layers; layer++)
        {
            var cell = optimizer.Cells[layer];
            var inputSize = layer == 0 ? config.InputSize : hidden;
            var prefix = $"lstm{layer}";
            var w = graph.Initializer($"{prefix}_W", GateBlocks(cell.weight_ih!), 1, 4 * hidden, inputSize);
            var r = graph.Initializer($"{prefix}_R", GateBlocks(cell.weight_hh!), 1, 4 * hidden, hidden);
            var b = graph.Initializer($"{prefix}_B", GateBlocks(cell.bias_ih!).Concat(GateBlocks(cell.bias_hh!)).ToArray(), 1, 8 * hidden);
            var sequence = graph.Node("Unsqueeze", $"{prefix}_input_seq", x, axis0);
            var h0 = graph.Node("Unsqueeze", $"{prefix}_h0", StateName(layer, "h"), axis0);
            var c0 = graph.Node("Unsqueeze", $"{prefix}_c0", StateName(layer, "c"), axis0);
            graph.Node("LSTM", prefix, new[] { sequence, w, r, b, "", h0, c0 }, new[] { "", $"{prefix}_h1", $"{prefix}_c1" },
                $"LSTM layer {layer}: one time step over a batch of N coordinates, each with its own (h, c)",
                OnnxGraphWriter.Int("hidden_size", hidden));
            x = graph.Node("Squeeze", StateName(layer, "h") + ContractV1.StateOutputSuffix, $"{prefix}_h1", axis0);
            graph.Node("Squeeze", StateName(layer, "c") + ContractV1.StateOutputSuffix, $"{prefix}_c1", axis0);
        }

        // A [H, 1] weight, not a 1-D one: MatMul with a vector operand is measurably slower in ONNX Runtime.
        var outputWeight = graph.Initializer("output_W", Values(optimizer.Output.weight!.t()), hidden, 1);
        var outputBias = graph.Initializer("output_B", Values(optimizer.Output.bias!), 1);
        var projected = graph.Node("MatMul", "output_matmul", new[] { x, outputWeight }, new[] { "output_matmul" },
            "output layer: last hidden state [N, H] times output_W [H, 1], plus output_B, times output_scale");
        var biased = graph.Node("Add", "output_linear", projected, outputBias);
        var squeezed = graph.Node("Squeeze", "output_raw", biased, axis1);
        graph.Node("Mul", ContractV1.UpdateOutput, squeezed, graph.Scalar("output_scale", (float)config.OutputScale));

        graph.Output(ContractV1.UpdateOutput, Float, "update to add to each parameter", Coordinates);
        for (var layer = 0; layer < config.Layers; layer++)
        {
            graph.Output(StateName(layer, "h") + ContractV1.StateOutputSuffix, Float, $"LSTM layer {layer} hidden state for the next step", Coordinates, OnnxDimension.Fixed(hidden));
            graph.Output(StateName(layer, "c") + ContractV1.StateOutputSuffix, Float, $"LSTM layer {layer} cell state for the next step", Coordinates, OnnxDimension.Fixed(hidden));
        }

        // The weights hash comes first and the metadata hash last (ToModel stamps), so a cut anywhere
        // in the metadata is refused at load (docs/contract-v1.md, "Truncation").
        var model = graph.ToModel("L2LOnnx", ProducerVersion,
            Metadata(config, metadata, graph.WeightsHash()).Select(m => KeyValuePair.Create(m.Key, m.Value)));
        model.Domain = "ai.l2lonnx";
        model.ModelVersion = 1;
        model.DocString = "A learned optimizer under the L2LOnnx ONNX optimizer contract v1 (docs/contract-v1.md).";
        return model;
    }

    /// <summary>Exports to <paramref name="path"/>, atomically: an existing file is replaced only by a complete new one.</summary>
    public static void Save(LstmOptimizer optimizer, string path, ExportMetadata metadata) =>
        AtomicFile.WriteAllBytes(path, Build(optimizer, metadata).ToByteArray());

    /// <summary>
    /// Exports one network per parameter group, each to <c>&lt;directory&gt;/&lt;name&gt;.&lt;group&gt;.onnx</c>
    /// (see <see cref="GroupFileName"/>) with <c>l2l.group</c> set, and returns the paths by group.
    /// Every file is written atomically; all networks are built before the first file is written, so an
    /// unexportable network leaves no file behind.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SaveGroups(
        IReadOnlyDictionary<string, LstmOptimizer> groups, string directory, string name, ExportMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count == 0) throw new ArgumentException("no parameter groups given: pass at least one group name and network", nameof(groups));
        var files = groups.OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Group: g.Key, Path: Path.Combine(directory, GroupFileName(name, g.Key)), Model: Build(g.Value, metadata with { Group = g.Key })))
            .ToArray();
        foreach (var (_, path, model) in files)
            AtomicFile.WriteAllBytes(path, model.ToByteArray());
        return files.ToDictionary(f => f.Group, f => f.Path, StringComparer.Ordinal);
    }

    /// <summary>
    /// The file name of group <paramref name="group"/>'s network: <c>&lt;name&gt;.&lt;group&gt;.onnx</c>.
    /// Both parts must be non-empty and use only letters, digits, '-' and '_' (no dots), so the
    /// group can be read back from the file name.
    /// </summary>
    public static string GroupFileName(string name, string group)
    {
        RequireNamePart(name, nameof(name));
        RequireNamePart(group, nameof(group));
        return $"{name}.{group}.onnx";
    }

    private static void RequireNamePart(string value, string parameter)
    {
        if (string.IsNullOrEmpty(value) || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"'{value}' cannot be part of a group file name: use letters, digits, '-' and '_' only (e.g. 'conv', 'fc')", parameter);
    }

    /// <summary>Producer name and version written into every file.</summary>
    public static string ProducerVersion => typeof(LstmOptimizerExporter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The content hash of the graph's initializers written as <c>l2l.weights_sha256</c> (see <see cref="InitializerHash"/>).</summary>
    public static string WeightsHash(OnnxGraph graph) => InitializerHash.Compute(graph);

    private const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float;

    /// <summary>The coordinate axis N of every input and output: symbolic, so one file serves any number of parameters.</summary>
    private static readonly OnnxDimension Coordinates = OnnxDimension.Symbolic("N");

    private static string Preprocess(OnnxGraphWriter graph, LstmOptimizerConfig config, string axis1)
    {
        if (config.PreprocessingP is not { } p)
            return graph.Node("Unsqueeze", "features", ContractV1.GradInput, axis1);

        // Same operations and float32 constants as GradientPreprocessing.LogSign in the trainer.
        var threshold = graph.Scalar("preprocess_threshold", GradientPreprocessing.Threshold(p));
        var abs = graph.Node("Abs", "grad_abs", ContractV1.GradInput);
        var large = graph.Node("GreaterOrEqual", "grad_is_large", abs, threshold);
        var clamped = graph.Node("Max", "grad_abs_clamped", abs, threshold);
        var log = graph.Node("Log", "grad_log", clamped);
        var scaledLog = graph.Node("Div", "grad_log_over_p", log, graph.Scalar("preprocess_p", (float)p));
        var first = graph.Node("Where", "feature_log", large, scaledLog, graph.Scalar("preprocess_minus_one", -1f));
        var sign = graph.Node("Sign", "grad_sign", ContractV1.GradInput);
        var scaled = graph.Node("Mul", "grad_scaled", ContractV1.GradInput, graph.Scalar("preprocess_small_scale", GradientPreprocessing.SmallScale(p)));
        var second = graph.Node("Where", "feature_sign", large, sign, scaled);
        var firstColumn = graph.Node("Unsqueeze", "feature_log_column", first, axis1);
        var secondColumn = graph.Node("Unsqueeze", "feature_sign_column", second, axis1);
        return graph.Node("Concat", "features", new[] { firstColumn, secondColumn }, new[] { "features" },
            "the paper's appendix A: (log|g|/p, sign g) if |g| >= e^-p, else (-1, e^p g); one row per coordinate",
            OnnxGraphWriter.Int("axis", 1));
    }

    private static IEnumerable<(string Key, string Value)> Metadata(LstmOptimizerConfig config, ExportMetadata metadata, string weightsHash)
    {
        yield return (LstmMetadataKeys.WeightsHash, weightsHash);
        yield return (ContractV1.FormatKey, ContractV1.FormatVersion);
        yield return (ContractV1.ArchitectureKey, Architecture);
        yield return (ContractV1.TrainedOnKey, metadata.TrainedOn);
        yield return (ContractV1.ProducerKey, $"L2LOnnx {ProducerVersion}");
        yield return (LstmMetadataKeys.Layers, config.Layers.ToString(CultureInfo.InvariantCulture));
        yield return (LstmMetadataKeys.HiddenSize, config.HiddenSize.ToString(CultureInfo.InvariantCulture));
        yield return (LstmMetadataKeys.Preprocessing, LstmMetadataKeys.DescribePreprocessing(config.PreprocessingP));
        yield return (LstmMetadataKeys.OutputScale, config.OutputScale.ToString("R", CultureInfo.InvariantCulture));
        if (metadata.Group is { } group)
            yield return (LstmMetadataKeys.Group, group);
        foreach (var (key, value) in metadata.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            var full = key.StartsWith("l2l.", StringComparison.Ordinal) ? key : "l2l." + key;
            if (LstmMetadataKeys.Derived.Contains(full))
                throw new ArgumentException($"metadata detail '{key}' would overwrite '{full}', which the exporter derives from the network; drop it from Details", nameof(metadata));
            yield return (full, value);
        }
    }

    /// <summary>A PyTorch LSTM weight or bias with its four gate blocks permuted into ONNX's order, row-major.</summary>
    private static float[] GateBlocks(Tensor torchTensor)
    {
        var values = Values(torchTensor);
        var blockLength = values.Length / 4;
        var permuted = new float[values.Length];
        for (var onnxGate = 0; onnxGate < 4; onnxGate++)
            Array.Copy(values, TorchGateOfOnnxGate[onnxGate] * blockLength, permuted, onnxGate * blockLength, blockLength);
        return permuted;
    }

    private static float[] Values(Tensor tensor)
    {
        using var contiguous = tensor.detach().contiguous().cpu();
        return contiguous.data<float>().ToArray();
    }
}
