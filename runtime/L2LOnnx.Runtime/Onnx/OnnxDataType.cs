namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// Tensor element types with ONNX's <c>TensorProto.DataType</c> numbering, so values convert to and
/// from the wire format by a plain cast. Values newer than this list are kept as their number.
/// </summary>
public enum OnnxDataType
{
    /// <summary>Not set (0).</summary>
    Undefined = 0,

    /// <summary>32-bit IEEE float (1).</summary>
    Float = 1,

    /// <summary>Unsigned 8-bit integer (2).</summary>
    UInt8 = 2,

    /// <summary>Signed 8-bit integer (3).</summary>
    Int8 = 3,

    /// <summary>Unsigned 16-bit integer (4).</summary>
    UInt16 = 4,

    /// <summary>Signed 16-bit integer (5).</summary>
    Int16 = 5,

    /// <summary>Signed 32-bit integer (6).</summary>
    Int32 = 6,

    /// <summary>Signed 64-bit integer (7).</summary>
    Int64 = 7,

    /// <summary>UTF-8 string (8).</summary>
    String = 8,

    /// <summary>Boolean (9).</summary>
    Bool = 9,

    /// <summary>16-bit IEEE float (10).</summary>
    Float16 = 10,

    /// <summary>64-bit IEEE float (11).</summary>
    Double = 11,

    /// <summary>Unsigned 32-bit integer (12).</summary>
    UInt32 = 12,

    /// <summary>Unsigned 64-bit integer (13).</summary>
    UInt64 = 13,

    /// <summary>Complex number of two 32-bit floats (14).</summary>
    Complex64 = 14,

    /// <summary>Complex number of two 64-bit floats (15).</summary>
    Complex128 = 15,

    /// <summary>Brain floating point, 16 bits (16).</summary>
    BFloat16 = 16,

    /// <summary>8-bit float E4M3, finite-only (17).</summary>
    Float8E4M3FN = 17,

    /// <summary>8-bit float E4M3, finite-only, no negative zero (18).</summary>
    Float8E4M3FNUZ = 18,

    /// <summary>8-bit float E5M2 (19).</summary>
    Float8E5M2 = 19,

    /// <summary>8-bit float E5M2, finite-only, no negative zero (20).</summary>
    Float8E5M2FNUZ = 20,

    /// <summary>Unsigned 4-bit integer, two per byte (21).</summary>
    UInt4 = 21,

    /// <summary>Signed 4-bit integer, two per byte (22).</summary>
    Int4 = 22,

    /// <summary>4-bit float E2M1, two per byte (23).</summary>
    Float4E2M1 = 23,
}
