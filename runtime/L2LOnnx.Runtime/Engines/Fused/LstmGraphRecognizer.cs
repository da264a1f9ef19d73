using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime.Engines.Fused;

/// <summary>
/// Recognises the coordinatewise LSTM optimizer graph our exporter writes (docs/contract-v1.md, "What
/// our exporter writes") by following the data flow back from <c>update</c>, whatever the node names,
/// and reads its weights from the initializers. Anything else in the graph, or any LSTM feature the
/// fused engine does not implement, makes it decline with a reason.
/// </summary>
internal sealed class LstmGraphRecognizer
{
    private readonly OnnxModel model;
    private readonly OptimizerContract contract;
    private readonly Dictionary<string, OnnxNode> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<OnnxNode>> consumers = new(StringComparer.Ordinal);
    private readonly HashSet<OnnxNode> used = new(ReferenceEqualityComparer.Instance);

    private LstmGraphRecognizer(OnnxModel model, OptimizerContract contract)
    {
        this.model = model;
        this.contract = contract;
        foreach (var node in model.Graph.Nodes)
        {
            foreach (var output in node.Outputs.Where(o => o.Length > 0)) producers[output] = node;
            foreach (var input in node.Inputs.Where(i => i.Length > 0))
            {
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = new List<OnnxNode>();
                list.Add(node);
            }
        }
    }

    /// <summary>Returns the model the fused engine can run, or <c>null</c> and why not.</summary>
    public static FusedLstmModel? TryRecognize(OnnxModel model, OptimizerContract contract, out string reason)
    {
        try
        {
            var fused = new LstmGraphRecognizer(model, contract).Recognize();
            reason = fused.Describe();
            return fused;
        }
        catch (NotRecognizedException e)
        {
            reason = e.Message;
            return null;
        }
        catch (OnnxFormatException e)
        {
            reason = $"a weight cannot be decoded: {e.Message}";
            return null;
        }
    }

    private FusedLstmModel Recognize()
    {
        if (contract.HasParamInput) throw new NotRecognizedException("the model reads 'param', which the LSTM family does not");

        // update = Mul(Squeeze(Add(MatMul(h, output_W), output_B), [1]), output_scale)
        var scaleNode = Expect(ContractV1.UpdateOutput, "Mul");
        var (raw, scale) = SplitScalar(scaleNode);
        var squeezeOut = Expect(raw, "Squeeze");
        RequireAxes(squeezeOut, 1);
        var addNode = Expect(squeezeOut.Inputs[0], "Add");
        var (projected, biasValues) = SplitInitializer(addNode);
        if (biasValues.Length != 1) throw new NotRecognizedException($"the output bias has {biasValues.Length} values, expected 1");
        var matMul = Expect(projected, "MatMul");
        var outputWeight = Initializer(matMul.Inputs[1], out var weightDims);
        var lastHidden = matMul.Inputs[0];

        // Walk the LSTM stack from the last layer down to the features.
        var layersTopDown = new List<(OnnxNode Lstm, int H, int HState, int CState)>();
        var value = lastHidden;
        string features;
        while (true)
        {
            var squeeze = Expect(value, "Squeeze");
            RequireAxes(squeeze, 0);
            var lstm = Expect(squeeze.Inputs[0], "LSTM");
            if (lstm.Outputs.Count < 2 || lstm.Outputs[1] != squeeze.Inputs[0])
                throw new NotRecognizedException($"'{value}' is not the LSTM's last hidden state (Y_h)");
            layersTopDown.Add(ReadLstm(lstm, value));
            var sequence = Expect(lstm.Inputs[0], "Unsqueeze");
            RequireAxes(sequence, 0);
            var below = sequence.Inputs[0];
            if (producers.TryGetValue(below, out var p) && p.OpType == "Squeeze" && producers.TryGetValue(p.Inputs[0], out var q) && q.OpType == "LSTM")
            {
                value = below;
                continue;
            }
            features = below;
            break;
        }

        var preprocessing = ReadFeatures(features);
        var inputSize = preprocessing is null ? 1 : 2;
        var layers = new List<FusedLstmLayer>();
        for (var i = layersTopDown.Count - 1; i >= 0; i--)
        {
            var (lstm, h, hState, cState) = layersTopDown[i];
            var w = Initializer(lstm.Inputs[1], out var wDims);
            var r = Initializer(lstm.Inputs[2], out var rDims);
            RequireDims(lstm.Inputs[1], wDims, 1, 4L * h, inputSize);
            RequireDims(lstm.Inputs[2], rDims, 1, 4L * h, h);
            float[]? b = null;
            if (lstm.Inputs.Count > 3 && lstm.Inputs[3].Length > 0)
            {
                b = Initializer(lstm.Inputs[3], out var bDims);
                RequireDims(lstm.Inputs[3], bDims, 1, 8L * h);
            }
            layers.Add(new FusedLstmLayer(inputSize, h, w, r, b, hState, cState));
            inputSize = h;
        }

        var hiddenLast = layers[^1].HiddenSize;
        if (outputWeight.Length != hiddenLast || weightDims.Count is < 1 or > 2 || weightDims[0] != hiddenLast)
            throw new NotRecognizedException($"the output weight has shape [{string.Join(", ", weightDims)}], expected [{hiddenLast}, 1]");
        if (contract.States.Count != 2 * layers.Count)
            throw new NotRecognizedException($"the model has {contract.States.Count} states but {layers.Count} LSTM layers need {2 * layers.Count}");

        var unused = model.Graph.Nodes.FirstOrDefault(n => !used.Contains(n));
        if (unused is not null) throw new NotRecognizedException($"node {unused} is not part of the LSTM optimizer pattern");
        return new FusedLstmModel(preprocessing, layers, outputWeight, biasValues[0], scale);
    }

    private (OnnxNode Lstm, int H, int HState, int CState) ReadLstm(OnnxNode lstm, string hiddenOut)
    {
        foreach (var attribute in lstm.Attributes.Values)
        {
            var fine = attribute.Name switch
            {
                "hidden_size" => true,
                "direction" => attribute.S == "forward",
                "activations" => attribute.Strings.Select(s => s.ToLowerInvariant()).SequenceEqual(new[] { "sigmoid", "tanh", "tanh" }),
                "input_forget" or "layout" => attribute.I == 0,
                _ => false,
            };
            if (!fine) throw new NotRecognizedException($"LSTM {lstm} sets attribute '{attribute.Name}', which the fused engine does not implement");
        }
        if (!lstm.Attributes.TryGetValue("hidden_size", out var hiddenAttribute) || hiddenAttribute.I is < 1 or > 4096)
            throw new NotRecognizedException($"LSTM {lstm} has no usable hidden_size");
        var h = (int)hiddenAttribute.I;
        if (lstm.Inputs.Count < 7 || (lstm.Inputs.Count > 4 && lstm.Inputs[4].Length > 0) || (lstm.Inputs.Count > 7 && lstm.Inputs[7].Length > 0))
            throw new NotRecognizedException($"LSTM {lstm} uses sequence lengths or peepholes, or lacks initial states");
        if (lstm.Outputs[0].Length > 0 && (consumers.ContainsKey(lstm.Outputs[0]) || model.Graph.Outputs.Any(o => o.Name == lstm.Outputs[0])))
            throw new NotRecognizedException($"LSTM {lstm} output Y is used; the fused engine runs one step and keeps only Y_h, Y_c");

        var hState = StateFeeding(lstm.Inputs[5], "h");
        var cState = StateFeeding(lstm.Inputs[6], "c");
        RequireStateOutput(hiddenOut, hState);
        if (lstm.Outputs.Count < 3) throw new NotRecognizedException($"LSTM {lstm} does not output its cell state Y_c");
        var cSqueeze = consumers.TryGetValue(lstm.Outputs[2], out var list) && list.Count == 1 ? list[0] : null;
        if (cSqueeze is null || cSqueeze.OpType != "Squeeze") throw new NotRecognizedException($"LSTM {lstm} cell state is not squeezed into a state output");
        RequireAxes(cSqueeze, 0);
        used.Add(cSqueeze);
        RequireStateOutput(cSqueeze.Outputs[0], cState);
        if (contract.States[hState].Width != h || contract.States[cState].Width != h)
            throw new NotRecognizedException($"LSTM {lstm} has hidden size {h} but its states are [N, {contract.States[hState].Width}] and [N, {contract.States[cState].Width}]");
        return (lstm, h, hState, cState);
    }

    private int StateFeeding(string value, string part)
    {
        var unsqueeze = Expect(value, "Unsqueeze");
        RequireAxes(unsqueeze, 0);
        var name = unsqueeze.Inputs[0];
        for (var i = 0; i < contract.States.Count; i++)
            if (contract.States[i].Name == name) return i;
        throw new NotRecognizedException($"the LSTM's initial {part} comes from '{name}', not from a state input");
    }

    private void RequireStateOutput(string value, int state)
    {
        if (value != contract.States[state].OutputName)
            throw new NotRecognizedException($"'{value}' should be the state output '{contract.States[state].OutputName}'");
    }

    private LogSignPreprocessing? ReadFeatures(string features)
    {
        var node = Expect(features, "Unsqueeze", "Concat");
        if (node.OpType == "Unsqueeze")
        {
            RequireAxes(node, 1);
            if (node.Inputs[0] != ContractV1.GradInput) throw new NotRecognizedException($"the first layer's input is '{node.Inputs[0]}', not the gradient");
            return null;
        }

        if (node.Inputs.Count != 2 || !node.Attributes.TryGetValue("axis", out var axis) || axis.I is not (1 or -1))
            throw new NotRecognizedException("the features are not two columns concatenated on axis 1");
        var logColumn = Expect(node.Inputs[0], "Unsqueeze");
        var signColumn = Expect(node.Inputs[1], "Unsqueeze");
        RequireAxes(logColumn, 1);
        RequireAxes(signColumn, 1);

        // feature 0 = Where(|g| >= T, Log(Max(|g|, T)) / p, -1)
        var first = Expect(logColumn.Inputs[0], "Where");
        var large = Expect(first.Inputs[0], "GreaterOrEqual");
        var threshold = Scalar(large.Inputs[1]);
        RequireAbsOfGrad(large.Inputs[0]);
        var div = Expect(first.Inputs[1], "Div");
        var p = Scalar(div.Inputs[1]);
        var log = Expect(div.Inputs[0], "Log");
        var max = Expect(log.Inputs[0], "Max");
        var (absolute, clampThreshold) = SplitScalar(max);
        RequireAbsOfGrad(absolute);
        if (BitConverter.SingleToInt32Bits(clampThreshold) != BitConverter.SingleToInt32Bits(threshold))
            throw new NotRecognizedException($"the log clamp {clampThreshold} differs from the threshold {threshold}");
        var minusOne = Scalar(first.Inputs[2]);

        // feature 1 = Where(|g| >= T, Sign(g), g * e^p)
        var second = Expect(signColumn.Inputs[0], "Where");
        if (second.Inputs[0] != first.Inputs[0]) throw new NotRecognizedException("the two features use different threshold tests");
        var sign = Expect(second.Inputs[1], "Sign");
        if (sign.Inputs[0] != ContractV1.GradInput) throw new NotRecognizedException("Sign is not taken of the gradient");
        var (scaled, smallScale) = SplitScalar(Expect(second.Inputs[2], "Mul"));
        if (scaled != ContractV1.GradInput) throw new NotRecognizedException("the small-gradient feature does not scale the gradient");
        return new LogSignPreprocessing(threshold, p, minusOne, smallScale);
    }

    private void RequireAbsOfGrad(string value)
    {
        var abs = Expect(value, "Abs");
        if (abs.Inputs[0] != ContractV1.GradInput) throw new NotRecognizedException("Abs is not taken of the gradient");
    }

    /// <summary>The node producing <paramref name="value"/>, which must be one of <paramref name="opTypes"/> in the default domain.</summary>
    private OnnxNode Expect(string value, params string[] opTypes)
    {
        if (!producers.TryGetValue(value, out var node))
            throw new NotRecognizedException($"'{value}' is not computed by a node (expected {string.Join(" or ", opTypes)})");
        if (!opTypes.Contains(node.OpType) || node.Domain is not ("" or "ai.onnx"))
            throw new NotRecognizedException($"'{value}' is computed by {node}, expected {string.Join(" or ", opTypes)}");
        if (node.Inputs.Count == 0) throw new NotRecognizedException($"{node} has no inputs");
        used.Add(node);
        return node;
    }

    /// <summary>Splits a binary node into its non-constant operand and its scalar initializer operand.</summary>
    private (string Other, float Scalar) SplitScalar(OnnxNode node)
    {
        var (other, values) = SplitInitializer(node);
        if (values.Length != 1) throw new NotRecognizedException($"{node} multiplies by {values.Length} values, expected a scalar");
        return (other, values[0]);
    }

    private (string Other, float[] Values) SplitInitializer(OnnxNode node)
    {
        if (node.Inputs.Count != 2) throw new NotRecognizedException($"{node} has {node.Inputs.Count} inputs, expected 2");
        if (IsInitializer(node.Inputs[1])) return (node.Inputs[0], Initializer(node.Inputs[1], out _));
        if (IsInitializer(node.Inputs[0])) return (node.Inputs[1], Initializer(node.Inputs[0], out _));
        throw new NotRecognizedException($"{node} has no constant operand");
    }

    private float Scalar(string name)
    {
        var values = Initializer(name, out _);
        if (values.Length != 1) throw new NotRecognizedException($"'{name}' has {values.Length} values, expected a scalar");
        return values[0];
    }

    private bool IsInitializer(string name) => model.Graph.TryGetInitializer(name, out _);

    private float[] Initializer(string name, out IReadOnlyList<long> dims)
    {
        if (!model.Graph.TryGetInitializer(name, out var tensor) || tensor.DataType != OnnxDataType.Float)
            throw new NotRecognizedException($"'{name}' is not a float32 initializer");
        dims = tensor.Dims;
        return tensor.ToFloatArray();
    }

    private static void RequireDims(string name, IReadOnlyList<long> dims, params long[] expected)
    {
        if (!dims.SequenceEqual(expected))
            throw new NotRecognizedException($"'{name}' has shape [{string.Join(", ", dims)}], expected [{string.Join(", ", expected)}]");
    }

    /// <summary>Squeeze/Unsqueeze over exactly <paramref name="axis"/>, given as an input (opset 13+) or an attribute.</summary>
    private void RequireAxes(OnnxNode node, int axis)
    {
        long[] axes;
        if (node.Inputs.Count >= 2 && node.Inputs[1].Length > 0)
        {
            if (!model.Graph.TryGetInitializer(node.Inputs[1], out var tensor))
                throw new NotRecognizedException($"{node} takes its axes from a computed value");
            axes = tensor.ToInt64Array();
        }
        else
        {
            axes = node.Attributes.TryGetValue("axes", out var attribute) ? attribute.Ints.ToArray() : Array.Empty<long>();
        }
        if (axes.Length != 1 || axes[0] != axis)
            throw new NotRecognizedException($"{node} works on axes [{string.Join(", ", axes)}], expected [{axis}]");
    }

    private sealed class NotRecognizedException(string message) : Exception(message);
}
