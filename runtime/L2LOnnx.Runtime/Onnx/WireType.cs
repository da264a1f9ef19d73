namespace L2LOnnx.Runtime.Onnx;

/// <summary>Protocol buffer wire types (the low three bits of a field tag).</summary>
internal enum WireType
{
    /// <summary>Base-128 varint: int32, int64, uint64, bool, enum.</summary>
    Varint = 0,

    /// <summary>Eight little-endian bytes: double, fixed64.</summary>
    Fixed64 = 1,

    /// <summary>Varint length followed by that many bytes: string, bytes, messages, packed repeated.</summary>
    LengthDelimited = 2,

    /// <summary>Deprecated group start; ONNX never uses groups, so the reader rejects them.</summary>
    StartGroup = 3,

    /// <summary>Deprecated group end; rejected like <see cref="StartGroup"/>.</summary>
    EndGroup = 4,

    /// <summary>Four little-endian bytes: float, fixed32.</summary>
    Fixed32 = 5,
}
