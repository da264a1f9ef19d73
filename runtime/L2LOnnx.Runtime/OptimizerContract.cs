namespace L2LOnnx.Runtime;

/// <summary>
/// What a contract-v1 optimizer model consumes and produces: whether it reads the parameter values,
/// which recurrent state it carries per coordinate, and its metadata. Built only by <see cref="Check"/>,
/// so an instance always describes a valid model.
/// </summary>
public sealed class OptimizerContract
{
    /// <summary>Upper bound on one state's width S; anything larger is taken for a corrupt or foreign file.</summary>
    public const int MaxStateWidth = 1 << 16;

    /// <summary>Whether the model declares the optional <c>param</c> input (then it is fed each step).</summary>
    public bool HasParamInput { get; }

    /// <summary>The recurrent states, in the model's input order.</summary>
    public IReadOnlyList<StateSpec> States { get; }

    /// <summary>All model metadata (<c>l2l.format</c> among it).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Floats of state per coordinate, summed over all states.</summary>
    public int StateWidth => States.Sum(s => s.Width);

    private OptimizerContract(bool hasParam, IReadOnlyList<StateSpec> states, IReadOnlyDictionary<string, string> metadata)
    {
        HasParamInput = hasParam;
        States = states;
        Metadata = metadata;
    }

    /// <summary>
    /// Checks a model's interface against contract v1 and returns its description.
    /// </summary>
    /// <exception cref="ContractViolationException">The model breaks the contract; the message says where.</exception>
    public static OptimizerContract Check(
        IReadOnlyList<TensorSignature> inputs,
        IReadOnlyList<TensorSignature> outputs,
        IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ContractV1.FormatKey, out var format))
            throw new ContractViolationException(
                $"metadata key '{ContractV1.FormatKey}' is absent: contract v1 requires '{ContractV1.FormatKey}' = '{ContractV1.FormatVersion}' in the model's metadata_props (see docs/contract-v1.md)");
        if (format.Trim() != ContractV1.FormatVersion)
            throw new ContractViolationException(
                $"metadata '{ContractV1.FormatKey}' is '{format}', but this runtime implements contract version {ContractV1.FormatVersion} only");

        var grad = inputs.FirstOrDefault(i => i.Name == ContractV1.GradInput)
            ?? throw new ContractViolationException(
                $"input '{ContractV1.GradInput}' is missing: contract v1 requires a float32 [N] input named '{ContractV1.GradInput}' (the model has inputs: {Names(inputs)})");
        RequireVector(grad, "input");
        RequireSymbolicN(grad, "input");

        var hasParam = false;
        var states = new List<StateSpec>();
        foreach (var input in inputs)
        {
            if (input.Name == ContractV1.GradInput) continue;
            if (input.Name == ContractV1.ParamInput)
            {
                RequireVector(input, "input");
                RequireSymbolicN(input, "input");
                hasParam = true;
            }
            else if (input.Name.StartsWith(ContractV1.StatePrefix, StringComparison.Ordinal) && input.Name.Length > ContractV1.StatePrefix.Length)
            {
                states.Add(new StateSpec(input.Name, RequireStateMatrix(input, "input")));
            }
            else
            {
                throw new ContractViolationException(
                    $"input '{input.Name}' is not part of contract v1: inputs must be '{ContractV1.GradInput}', optionally '{ContractV1.ParamInput}', and states named '{ContractV1.StatePrefix}<name>'");
            }
        }

        var update = outputs.FirstOrDefault(o => o.Name == ContractV1.UpdateOutput)
            ?? throw new ContractViolationException(
                $"output '{ContractV1.UpdateOutput}' is missing: contract v1 requires a float32 [N] output named '{ContractV1.UpdateOutput}' (the model has outputs: {Names(outputs)})");
        RequireVector(update, "output");
        RequireSymbolicN(update, "output");

        foreach (var state in states)
        {
            var output = outputs.FirstOrDefault(o => o.Name == state.OutputName)
                ?? throw new ContractViolationException(
                    $"state input '{state.Name}' has no output '{state.OutputName}': every state input needs an output of the same shape holding the next step's state");
            var width = RequireStateMatrix(output, "output");
            if (width != state.Width)
                throw new ContractViolationException(
                    $"output '{state.OutputName}' is [N, {width}] but its input '{state.Name}' is [N, {state.Width}]: they must have the same shape");
        }

        foreach (var output in outputs)
        {
            if (output.Name == ContractV1.UpdateOutput || states.Any(s => s.OutputName == output.Name)) continue;
            throw new ContractViolationException(
                output.Name.EndsWith(ContractV1.StateOutputSuffix, StringComparison.Ordinal)
                    ? $"output '{output.Name}' has no state input '{output.Name[..^ContractV1.StateOutputSuffix.Length]}': every state output needs its input"
                    : $"output '{output.Name}' is not part of contract v1: outputs must be '{ContractV1.UpdateOutput}' and one '<state>{ContractV1.StateOutputSuffix}' per state input");
        }

        return new OptimizerContract(hasParam, states, metadata);
    }

    private static void RequireFloat(TensorSignature value, string role)
    {
        if (value.ElementType != "float")
            throw new ContractViolationException(
                $"{role} '{value.Name}' has element type {value.ElementType}, but contract v1 requires float32 (tensor(float))");
    }

    private static void RequireVector(TensorSignature value, string role)
    {
        RequireFloat(value, role);
        if (value.Dimensions.Count != 1)
            throw new ContractViolationException(
                $"{role} '{value.Name}' has rank {value.Dimensions.Count}, but contract v1 requires a vector [N] with one entry per coordinate");
    }

    private static void RequireSymbolicN(TensorSignature value, string role)
    {
        if (value.Dimensions[0] is { } fixedN)
            throw new ContractViolationException(
                $"{role} '{value.Name}' declares a fixed N = {fixedN}: contract v1 requires N to be symbolic so that one file serves every parameter count");
    }

    private static int RequireStateMatrix(TensorSignature value, string role)
    {
        RequireFloat(value, role);
        if (value.Dimensions.Count != 2)
            throw new ContractViolationException(
                $"{role} '{value.Name}' has rank {value.Dimensions.Count}, but contract v1 requires state tensors of shape [N, S]");
        if (value.Dimensions[1] is not { } width)
            throw new ContractViolationException(
                $"{role} '{value.Name}' has a symbolic second dimension: contract v1 requires S, the floats of state per coordinate, to be a fixed number");
        if (width < 1 || width > MaxStateWidth)
            throw new ContractViolationException(
                $"{role} '{value.Name}' declares {width} floats of state per coordinate; contract v1 accepts 1 to {MaxStateWidth}");
        return (int)width;
    }

    private static string Names(IEnumerable<TensorSignature> values)
    {
        var names = string.Join(", ", values.Select(v => $"'{v.Name}'"));
        return names.Length == 0 ? "none" : names;
    }
}
