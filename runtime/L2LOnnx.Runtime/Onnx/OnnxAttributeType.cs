namespace L2LOnnx.Runtime.Onnx;

/// <summary>Attribute value kinds with ONNX's <c>AttributeProto.AttributeType</c> numbering.</summary>
public enum OnnxAttributeType
{
    /// <summary>Not set (0); IR version 1 files relied on which value field was present.</summary>
    Undefined = 0,

    /// <summary>A single float, in <see cref="OnnxAttribute.F"/> (1).</summary>
    Float = 1,

    /// <summary>A single integer, in <see cref="OnnxAttribute.I"/> (2).</summary>
    Int = 2,

    /// <summary>A single string, in <see cref="OnnxAttribute.S"/> (3).</summary>
    String = 3,

    /// <summary>A tensor, in <see cref="OnnxAttribute.Tensor"/> (4).</summary>
    Tensor = 4,

    /// <summary>A subgraph; only its presence is recorded, see <see cref="OnnxAttribute.HasGraph"/> (5).</summary>
    Graph = 5,

    /// <summary>A list of floats, in <see cref="OnnxAttribute.Floats"/> (6).</summary>
    Floats = 6,

    /// <summary>A list of integers, in <see cref="OnnxAttribute.Ints"/> (7).</summary>
    Ints = 7,

    /// <summary>A list of strings, in <see cref="OnnxAttribute.Strings"/> (8).</summary>
    Strings = 8,

    /// <summary>A list of tensors; not decoded by this reader (9).</summary>
    Tensors = 9,

    /// <summary>A list of subgraphs; only presence is recorded (10).</summary>
    Graphs = 10,

    /// <summary>A sparse tensor; not decoded by this reader (11).</summary>
    SparseTensor = 11,

    /// <summary>A list of sparse tensors; not decoded by this reader (12).</summary>
    SparseTensors = 12,

    /// <summary>A type description; not decoded by this reader (13).</summary>
    TypeProto = 13,

    /// <summary>A list of type descriptions; not decoded by this reader (14).</summary>
    TypeProtos = 14,
}
