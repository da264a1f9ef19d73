namespace L2LOnnx.Runtime.Onnx;

/// <summary>One operator invocation in a graph.</summary>
public sealed class OnnxNode
{
    internal OnnxNode(
        string name,
        string opType,
        string domain,
        string docString,
        string[] inputs,
        string[] outputs,
        IReadOnlyDictionary<string, OnnxAttribute> attributes)
    {
        Name = name;
        OpType = opType;
        Domain = domain;
        DocString = docString;
        Inputs = Array.AsReadOnly(inputs);
        Outputs = Array.AsReadOnly(outputs);
        Attributes = attributes;
    }

    /// <summary>The node name (optional in ONNX, so possibly empty).</summary>
    public string Name { get; }

    /// <summary>The operator, e.g. <c>LSTM</c>.</summary>
    public string OpType { get; }

    /// <summary>The operator domain; empty means the default <c>ai.onnx</c> domain.</summary>
    public string Domain { get; }

    /// <summary>The documentation string; empty when absent.</summary>
    public string DocString { get; }

    /// <summary>Input value names in order; an empty name marks an omitted optional input.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Output value names in order; an empty name marks an omitted optional output.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Attributes by name (names are unique; duplicates are rejected while reading).</summary>
    public IReadOnlyDictionary<string, OnnxAttribute> Attributes { get; }

    /// <summary>The operator and name, e.g. <c>LSTM (lstm_0)</c>.</summary>
    public override string ToString() =>
        (Domain.Length == 0 ? OpType : $"{Domain}.{OpType}") + (Name.Length == 0 ? string.Empty : $" ({Name})");
}
