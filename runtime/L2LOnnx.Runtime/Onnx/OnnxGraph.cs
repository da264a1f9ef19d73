using System.Diagnostics.CodeAnalysis;

namespace L2LOnnx.Runtime.Onnx;

/// <summary>The main graph of a model: nodes, initializers and declared inputs, outputs and intermediate values.</summary>
public sealed class OnnxGraph
{
    private readonly Dictionary<string, OnnxTensor> _initializersByName;

    internal OnnxGraph(
        string name,
        string docString,
        OnnxNode[] nodes,
        OnnxTensor[] initializers,
        Dictionary<string, OnnxTensor> initializersByName,
        OnnxValueInfo[] inputs,
        OnnxValueInfo[] outputs,
        OnnxValueInfo[] valueInfo,
        bool hasSparseInitializers)
    {
        Name = name;
        DocString = docString;
        Nodes = Array.AsReadOnly(nodes);
        Initializers = Array.AsReadOnly(initializers);
        _initializersByName = initializersByName;
        Inputs = Array.AsReadOnly(inputs);
        Outputs = Array.AsReadOnly(outputs);
        ValueInfo = Array.AsReadOnly(valueInfo);
        HasSparseInitializers = hasSparseInitializers;
    }

    /// <summary>The graph name; empty when absent.</summary>
    public string Name { get; }

    /// <summary>The documentation string; empty when absent.</summary>
    public string DocString { get; }

    /// <summary>The nodes in file order (ONNX requires topological order, which is not checked here).</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>The dense initializers in file order; names are unique (duplicates are rejected while reading).</summary>
    public IReadOnlyList<OnnxTensor> Initializers { get; }

    /// <summary>The declared graph inputs; since IR version 4 these need not list the initializers.</summary>
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }

    /// <summary>The declared graph outputs.</summary>
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }

    /// <summary>Declared types of intermediate values (<c>value_info</c>).</summary>
    public IReadOnlyList<OnnxValueInfo> ValueInfo { get; }

    /// <summary>True when the graph has sparse initializers, which this reader does not decode.</summary>
    public bool HasSparseInitializers { get; }

    /// <summary>Finds an initializer by name.</summary>
    /// <param name="name">The initializer name.</param>
    /// <param name="tensor">The initializer, when found.</param>
    /// <returns>True when an initializer has that name.</returns>
    public bool TryGetInitializer(string name, [NotNullWhen(true)] out OnnxTensor? tensor) =>
        _initializersByName.TryGetValue(name, out tensor);
}
