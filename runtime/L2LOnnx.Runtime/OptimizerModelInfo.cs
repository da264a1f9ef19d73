using System.Collections.ObjectModel;
using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime;

/// <summary>What an optimizer model file contains, for inspection and logs; read by the runtime's own ONNX reader.</summary>
public sealed class OptimizerModelInfo
{
    private OptimizerModelInfo(OnnxModel model)
    {
        IrVersion = model.IrVersion;
        Opset = model.TryGetOpsetVersion("", out var opset) ? opset : 0;
        Producer = (model.ProducerName + " " + model.ProducerVersion).Trim();
        NodeCount = model.Graph.Nodes.Count;
        OperatorCounts = new ReadOnlyDictionary<string, int>(
            model.Graph.Nodes.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()));
        ParameterCount = model.Graph.Initializers
            .Where(t => t.DataType is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16)
            .Sum(t => t.ElementCount);
    }

    internal static OptimizerModelInfo From(OnnxModel model) => new(model);

    /// <summary>The ONNX IR version of the file.</summary>
    public long IrVersion { get; }

    /// <summary>The imported version of the default ONNX operator set.</summary>
    public long Opset { get; }

    /// <summary>The producing tool and version from the file header, e.g. <c>L2LOnnx 0.1.0</c>; empty when absent.</summary>
    public string Producer { get; }

    /// <summary>Number of nodes in the graph.</summary>
    public int NodeCount { get; }

    /// <summary>Operator types used and how many nodes of each, sorted by name, e.g. <c>LSTM: 2</c>.</summary>
    public IReadOnlyDictionary<string, int> OperatorCounts { get; }

    /// <summary>Elements of the floating-point initializers: the network's weights and its float constants.</summary>
    public long ParameterCount { get; }

    /// <summary>One line, e.g. <c>opset 17, IR 8, 26 nodes, 5,306 parameters; ops: Abs, Add, ...</c>.</summary>
    public override string ToString() =>
        $"opset {Opset}, IR {IrVersion}, {NodeCount} nodes, {ParameterCount:N0} parameters; ops: {string.Join(", ", OperatorCounts.Select(p => p.Value == 1 ? p.Key : $"{p.Key} x{p.Value}"))}";
}
