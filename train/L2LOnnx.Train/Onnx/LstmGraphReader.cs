using System.Globalization;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Train.Optimizers;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// Recognises a contract-v1 file of the coordinatewise LSTM family and takes its weights out: one
/// ONNX <c>LSTM</c> node per layer fed by <c>state_lstm{l}_h/c</c>, chained layer to layer, then a
/// linear layer (<c>MatMul</c> + <c>Add</c>, or <c>Gemm</c>) to one output per coordinate.
/// Preprocessing and the output multiplier come from the metadata; the importer then checks by running
/// both networks that the file computes exactly that.
/// </summary>
/// <remarks>
/// Accepts the layouts our exporter and <c>torch.onnx.export</c> of nn.LSTM / nn.Linear write: weights
/// as initializers or <c>Constant</c> nodes, and <c>Unsqueeze</c>/<c>Squeeze</c>/<c>Reshape</c>/<c>Identity</c>
/// between the states and the LSTM nodes. Anything else is refused with the reason.
/// </remarks>
internal static class LstmGraphReader
{
    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal) { "Unsqueeze", "Squeeze", "Reshape", "Identity" };
    private static readonly HashSet<string> KnownLstmAttributes = new(StringComparer.Ordinal)
    {
        "hidden_size", "direction", "activations", "input_forget", "layout",
    };

    public static LstmNetworkWeights Read(OnnxModel model)
    {
        var graph = model.Graph;
        var metadata = model.Metadata;
        RequireFamily(metadata);
        var p = Preprocessing(metadata);
        var scale = OutputScale(metadata);

        foreach (var node in graph.Nodes)
            if (node.Domain is not ("" or "ai.onnx"))
                throw new OnnxImportException($"node '{node.Name}' uses operator {node.Domain}.{node.OpType} outside the default ONNX domain; the LSTM family uses standard operators only");

        var constants = new OnnxConstants(graph);
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
            foreach (var output in node.Outputs.Where(o => o.Length > 0))
                producers[output] = node;

        var lstmNodes = graph.Nodes.Where(n => n.OpType == "LSTM").ToList();
        if (lstmNodes.Count == 0)
            throw new OnnxImportException(
                $"the graph has no LSTM node (its operators: {string.Join(", ", graph.Nodes.Select(n => n.OpType).Distinct())}); only the coordinatewise LSTM family imports into TorchSharp. " +
                "From PyTorch, export each layer as an nn.LSTM run for one time step (interop/pytorch/export_lstm_optimizer.py): nn.LSTMCell exports as loose Gemm/Sigmoid/Tanh operators");
        var layers = OrderLayers(lstmNodes, producers, constants);
        RequireStateInputs(graph, constants, layers.Count);

        var hidden = HiddenSize(layers[0]);
        var weights = new List<LstmLayerWeights>();
        var inputSize = 0;
        for (var layer = 0; layer < layers.Count; layer++)
        {
            var node = layers[layer];
            RequireStandardCell(node, hidden, layer);
            if (layer > 0) RequireChained(node, layers[layer - 1], producers, layer);
            var (w, r, b, nodeInput) = CellWeights(node, constants, hidden, layer);
            if (layer == 0) inputSize = nodeInput;
            weights.Add(new LstmLayerWeights(node.Name, w, r, b));
        }

        var (outputWeight, outputBias) = OutputLayer(graph, layers[^1], producers, constants, hidden);
        RequireMetadataAgrees(metadata, LstmMetadataKeys.Layers, layers.Count);
        RequireMetadataAgrees(metadata, LstmMetadataKeys.HiddenSize, hidden);

        LstmOptimizerConfig config;
        try
        {
            config = new LstmOptimizerConfig(layers.Count, hidden, p, scale);
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new OnnxImportException($"the file describes no valid network: {e.Message}", e);
        }
        if (config.InputSize != inputSize)
            throw new OnnxImportException(
                $"LSTM layer 0 reads {inputSize} feature(s) per coordinate, but '{LstmMetadataKeys.Preprocessing}' = '{metadata[LstmMetadataKeys.Preprocessing]}' gives {config.InputSize}; the metadata does not describe this graph");
        return new LstmNetworkWeights(config, weights, outputWeight, outputBias);
    }

    private static void RequireFamily(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ContractV1.FormatKey, out var format))
            throw new OnnxImportException($"metadata '{ContractV1.FormatKey}' is absent: this is not a contract-v1 optimizer file (docs/contract-v1.md)");
        if (format.Trim() != ContractV1.FormatVersion)
            throw new OnnxImportException($"metadata '{ContractV1.FormatKey}' is '{format}'; this importer reads contract version {ContractV1.FormatVersion}");
        if (!metadata.TryGetValue(ContractV1.ArchitectureKey, out var architecture))
            throw new OnnxImportException(
                $"metadata '{ContractV1.ArchitectureKey}' is absent: only '{LstmOptimizerExporter.Architecture}' files import into TorchSharp, and they must say so " +
                $"(with '{LstmMetadataKeys.Preprocessing}' and '{LstmMetadataKeys.OutputScale}'; see interop/pytorch/export_lstm_optimizer.py)");
        if (architecture != LstmOptimizerExporter.Architecture)
            throw new OnnxImportException($"architecture '{architecture}' is outside the family this importer handles ('{LstmOptimizerExporter.Architecture}')");
    }

    private static double? Preprocessing(IReadOnlyDictionary<string, string> metadata)
    {
        var text = Required(metadata, LstmMetadataKeys.Preprocessing, "'log-sign p=10' or 'none'");
        if (LstmMetadataKeys.TryParsePreprocessing(text, out var p)) return p;
        throw new OnnxImportException($"metadata '{LstmMetadataKeys.Preprocessing}' is '{text}'; expected 'log-sign p=<number>' or 'none'");
    }

    private static double OutputScale(IReadOnlyDictionary<string, string> metadata)
    {
        var text = Required(metadata, LstmMetadataKeys.OutputScale, "the output multiplier, e.g. '0.1'");
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale)) return scale;
        throw new OnnxImportException($"metadata '{LstmMetadataKeys.OutputScale}' is '{text}', not a number");
    }

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string what) =>
        metadata.TryGetValue(key, out var value)
            ? value.Trim()
            : throw new OnnxImportException($"metadata '{key}' is absent; an LSTM-family file must record {what}");

    private static void RequireMetadataAgrees(IReadOnlyDictionary<string, string> metadata, string key, int actual)
    {
        if (metadata.TryGetValue(key, out var text) && text.Trim() != actual.ToString(CultureInfo.InvariantCulture))
            throw new OnnxImportException($"metadata '{key}' says {text} but the graph has {actual}: the metadata does not describe this graph");
    }

    /// <summary>Orders the LSTM nodes by the state they read: layer l takes its initial h from <c>state_lstm{l}_h</c>.</summary>
    private static List<OnnxNode> OrderLayers(List<OnnxNode> nodes, Dictionary<string, OnnxNode> producers, OnnxConstants constants)
    {
        var byLayer = new SortedDictionary<int, OnnxNode>();
        foreach (var node in nodes)
        {
            if (node.Inputs.Count < 7 || node.Inputs[5].Length == 0 || node.Inputs[6].Length == 0)
                throw new OnnxImportException($"LSTM node '{node.Name}' has no initial_h / initial_c inputs: in the family each layer starts from the state_lstm{{l}}_h/c inputs");
            var h = Trace(node.Inputs[5], producers).Value;
            var c = Trace(node.Inputs[6], producers).Value;
            var layer = LayerOfState(h, "h");
            if (layer is not { } index || LayerOfState(c, "c") != index || constants.Contains(h))
                throw new OnnxImportException(
                    $"LSTM node '{node.Name}' starts from '{h}' and '{c}', not from a pair state_lstm<l>_h / state_lstm<l>_c: the state layout is not the family's");
            if (!byLayer.TryAdd(index, node))
                throw new OnnxImportException($"LSTM nodes '{byLayer[index].Name}' and '{node.Name}' both read the state of layer {index}");
        }
        var ordered = byLayer.Values.ToList();
        for (var layer = 0; layer < ordered.Count; layer++)
            if (!byLayer.ContainsKey(layer))
                throw new OnnxImportException($"no LSTM node reads the state of layer {layer}, yet {ordered.Count} LSTM nodes exist");
        return ordered;
    }

    private static int? LayerOfState(string value, string part)
    {
        var prefix = ContractV1.StatePrefix + "lstm";
        var suffix = "_" + part;
        if (!value.StartsWith(prefix, StringComparison.Ordinal) || !value.EndsWith(suffix, StringComparison.Ordinal)) return null;
        var digits = value.AsSpan(prefix.Length, value.Length - prefix.Length - suffix.Length);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var layer)
               && layer.ToString(CultureInfo.InvariantCulture) == digits.ToString() ? layer : null;
    }

    private static void RequireStateInputs(OnnxGraph graph, OnnxConstants constants, int layers)
    {
        var inputs = graph.Inputs.Select(i => i.Name).Where(n => !constants.Contains(n)).ToHashSet(StringComparer.Ordinal);
        if (inputs.Contains(ContractV1.ParamInput))
            throw new OnnxImportException($"the model reads parameter values ('{ContractV1.ParamInput}' input); the LSTM family sees only the gradient");
        var expected = Enumerable.Range(0, layers)
            .SelectMany(l => new[] { LstmOptimizerExporter.StateName(l, "h"), LstmOptimizerExporter.StateName(l, "c") })
            .Append(ContractV1.GradInput)
            .ToHashSet(StringComparer.Ordinal);
        if (!inputs.SetEquals(expected))
            throw new OnnxImportException(
                $"inputs are {string.Join(", ", inputs.Order(StringComparer.Ordinal))}; a {layers}-layer LSTM optimizer has exactly {string.Join(", ", expected.Order(StringComparer.Ordinal))}");
    }

    private static int HiddenSize(OnnxNode node)
    {
        var attribute = node.Attributes.GetValueOrDefault("hidden_size")
            ?? throw new OnnxImportException($"LSTM node '{node.Name}' has no hidden_size attribute");
        if (attribute.I < 1 || attribute.I > OptimizerContract.MaxStateWidth)
            throw new OnnxImportException($"LSTM node '{node.Name}' has hidden_size {attribute.I}");
        return (int)attribute.I;
    }

    private static void RequireStandardCell(OnnxNode node, int hidden, int layer)
    {
        if (HiddenSize(node) != hidden)
            throw new OnnxImportException($"LSTM layer {layer} ('{node.Name}') has hidden_size {HiddenSize(node)}, layer 0 has {hidden}; the family uses one size for every layer");
        foreach (var attribute in node.Attributes.Values)
        {
            var standard = attribute.Name switch
            {
                "hidden_size" => true,
                "direction" => attribute.S == "forward",
                "activations" => attribute.Strings.SequenceEqual(new[] { "Sigmoid", "Tanh", "Tanh" }),
                "input_forget" or "layout" => attribute.I == 0,
                _ => false,
            };
            if (!standard)
                throw new OnnxImportException(
                    KnownLstmAttributes.Contains(attribute.Name)
                        ? $"LSTM layer {layer} ('{node.Name}') sets {attribute.Name} to a non-default value; the family is a plain forward LSTM (sigmoid, tanh, tanh; no coupling; layout 0)"
                        : $"LSTM layer {layer} ('{node.Name}') sets attribute '{attribute.Name}' (clipping or custom activation parameters); the family is a plain LSTM");
        }
        if (node.Inputs[4].Length > 0)
            throw new OnnxImportException($"LSTM layer {layer} ('{node.Name}') has a sequence_lens input; the family runs exactly one time step");
        if (node.Inputs.Count > 7 && node.Inputs[7].Length > 0)
            throw new OnnxImportException($"LSTM layer {layer} ('{node.Name}') has peephole weights (input P); the family's cells have none (like PyTorch's)");
    }

    private static void RequireChained(OnnxNode node, OnnxNode previous, Dictionary<string, OnnxNode> producers, int layer)
    {
        var (value, producer) = Trace(node.Inputs[0], producers);
        if (producer != previous || (value != previous.Outputs[0] && (previous.Outputs.Count < 2 || value != previous.Outputs[1])))
            throw new OnnxImportException($"LSTM layer {layer} ('{node.Name}') does not read the hidden state of layer {layer - 1} ('{previous.Name}'); the family stacks its layers");
    }

    private static (float[] W, float[] R, float[] B, int InputSize) CellWeights(OnnxNode node, OnnxConstants constants, int hidden, int layer)
    {
        string Role(string name) => $"LSTM layer {layer} ('{node.Name}') input {name}";
        var wShape = constants.Shape(node.Inputs[1]) ?? throw new OnnxImportException($"{Role("W")} ('{node.Inputs[1]}') is computed, not a constant weight tensor");
        var expectedInput = layer == 0 ? "1 or 2" : hidden.ToString(CultureInfo.InvariantCulture);
        if (wShape.Length != 3 || wShape[0] != 1 || wShape[1] != 4L * hidden || (layer == 0 ? wShape[2] is < 1 or > 2 : wShape[2] != hidden))
            throw new OnnxImportException($"{Role("W")} has shape [{string.Join(", ", wShape)}]; expected [1, {4 * hidden}, {expectedInput}]");
        var inputSize = (int)wShape[2];
        var w = constants.Floats(node.Inputs[1], Role("W"))!;
        var r = RequireShape(constants, node.Inputs[2], Role("R"), 1, 4L * hidden, hidden);
        var b = node.Inputs.Count > 3 && node.Inputs[3].Length > 0
            ? RequireShape(constants, node.Inputs[3], Role("B"), 1, 8L * hidden)
            : new float[8 * hidden];
        return (w, r, b, inputSize);
    }

    private static float[] RequireShape(OnnxConstants constants, string value, string role, params long[] dims)
    {
        var shape = constants.Shape(value) ?? throw new OnnxImportException($"{role} ('{value}') is computed, not a constant weight tensor");
        if (!shape.SequenceEqual(dims))
            throw new OnnxImportException($"{role} has shape [{string.Join(", ", shape)}]; expected [{string.Join(", ", dims)}]");
        return constants.Floats(value, role)!;
    }

    /// <summary>The linear layer on the last LSTM layer's hidden state: MatMul (+ Add) or Gemm.</summary>
    private static (float[] Weight, float Bias) OutputLayer(OnnxGraph graph, OnnxNode last, Dictionary<string, OnnxNode> producers, OnnxConstants constants, int hidden)
    {
        var candidates = graph.Nodes
            .Where(n => n.OpType is "MatMul" or "Gemm" && n.Inputs.Count >= 2 && constants.Contains(n.Inputs[1]))
            .Where(n => Trace(n.Inputs[0], producers) is var (value, producer) && producer == last && last.Outputs.Take(2).Contains(value))
            .ToList();
        if (candidates.Count != 1)
            throw new OnnxImportException(
                $"expected one linear layer (MatMul or Gemm with constant weights) on the last LSTM layer's hidden state, found {candidates.Count}; the family maps each coordinate's hidden state to one output");
        var linear = candidates[0];
        var shape = constants.Shape(linear.Inputs[1])!;
        var transB = linear.OpType == "Gemm" && IntAttribute(linear, "transB", 0) == 1;
        var expected = linear.OpType == "MatMul" && shape.Length == 1 ? new long[] { hidden } : transB ? new long[] { 1, hidden } : new long[] { hidden, 1 };
        if (!shape.SequenceEqual(expected))
            throw new OnnxImportException($"the output layer's weight ('{linear.Inputs[1]}') has shape [{string.Join(", ", shape)}]; expected [{string.Join(", ", expected)}] (one output per coordinate)");
        // [H, 1] and [1, H] hold the H weights in the same order, so no transpose is needed.
        var weight = constants.Floats(linear.Inputs[1], "the output layer's weight")!;

        string? biasValue;
        if (linear.OpType == "Gemm")
        {
            if (IntAttribute(linear, "transA", 0) != 0 || FloatAttribute(linear, "alpha", 1f) != 1f || FloatAttribute(linear, "beta", 1f) != 1f)
                throw new OnnxImportException($"the output layer ('{linear.Name}') is a Gemm with transA, alpha or beta set; the family's output layer is a plain linear layer");
            biasValue = linear.Inputs.Count > 2 && linear.Inputs[2].Length > 0 ? linear.Inputs[2] : null;
        }
        else
        {
            var consumers = graph.Nodes.Where(n => n.Inputs.Contains(linear.Outputs[0])).ToList();
            biasValue = consumers is [{ OpType: "Add" } add] ? add.Inputs.FirstOrDefault(i => i != linear.Outputs[0] && constants.Contains(i)) : null;
        }
        if (biasValue is null) return (weight, 0f);
        var bias = constants.Floats(biasValue, "the output layer's bias")!;
        if (bias.Length != 1)
            throw new OnnxImportException($"the output layer's bias ('{biasValue}') has {bias.Length} values; one output per coordinate needs one");
        return (weight, bias[0]);
    }

    /// <summary>Follows a value back through shape-only operators to where it is computed.</summary>
    private static (string Value, OnnxNode? Producer) Trace(string value, Dictionary<string, OnnxNode> producers)
    {
        for (var hop = 0; hop < 16; hop++)
        {
            if (!producers.TryGetValue(value, out var producer)) return (value, null);
            if (!PassThrough.Contains(producer.OpType)) return (value, producer);
            value = producer.Inputs[0];
        }
        return (value, producers.GetValueOrDefault(value));
    }

    private static long IntAttribute(OnnxNode node, string name, long fallback) =>
        node.Attributes.GetValueOrDefault(name) is { } attribute ? attribute.I : fallback;

    private static float FloatAttribute(OnnxNode node, string name, float fallback) =>
        node.Attributes.GetValueOrDefault(name) is { } attribute ? attribute.F : fallback;
}
