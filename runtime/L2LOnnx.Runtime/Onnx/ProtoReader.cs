using System.Buffers.Binary;
using System.Text;

namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// A forward-only cursor over the bytes of one protobuf message. Every read checks bounds first and
/// reports problems as <see cref="OnnxFormatException"/> with an absolute byte offset and a message
/// path, so a malformed file never surfaces as an <see cref="IndexOutOfRangeException"/>.
/// </summary>
/// <remarks>
/// Nested messages get their own reader over a slice of the parent's span (no copies); the absolute
/// origin and depth travel with it so errors deep inside a file still point at the right byte.
/// </remarks>
internal ref struct ProtoReader
{
    /// <summary>Deepest message nesting accepted; ONNX needs about eight, anything far beyond is hostile.</summary>
    internal const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _origin;
    private readonly ReadContext _context;
    private int _position;
    private int _tagStart;
    private int _field;

    /// <summary>Creates a reader over a whole top-level message.</summary>
    /// <param name="data">The message bytes.</param>
    /// <param name="where">The message name used in error messages, e.g. <c>ModelProto</c>.</param>
    public ProtoReader(ReadOnlySpan<byte> data, string where)
        : this(data, 0, where, 0, new ReadContext())
    {
    }

    private ProtoReader(ReadOnlySpan<byte> data, int origin, string where, int depth, ReadContext context)
    {
        _data = data;
        _origin = origin;
        _context = context;
        Where = where;
        Depth = depth;
    }

    /// <summary>The message path used in error messages, e.g. <c>ModelProto.graph.node[3]</c>.</summary>
    public string Where { get; }

    /// <summary>How many messages enclose this one (0 for the top-level message).</summary>
    public int Depth { get; }

    /// <summary>What this read shares with every other reader of the same file.</summary>
    public readonly ReadContext Context => _context;

    /// <summary>The absolute byte offset of the field just read, for locating findings.</summary>
    public readonly int FieldOffset => _origin + _tagStart;

    /// <summary>
    /// Throws when a list already holds <paramref name="count"/> entries and may hold at most
    /// <paramref name="max"/>: called before adding one more.
    /// </summary>
    public readonly void RequireRoom(int count, int max, string what)
    {
        if (count >= max)
        {
            throw ErrorAt($"more than {max:N0} {what}: the file is refused as hostile or corrupt (see ReadLimits)", _tagStart);
        }
    }

    /// <summary>Charges <paramref name="bytes"/> of decoded memory to the read's budget.</summary>
    public readonly void Charge(long bytes)
    {
        if (!_context.TryCharge(bytes))
        {
            throw ErrorAt($"the file decodes to more than {ReadLimits.MaxDecodedBytes >> 20} MiB of model data: refused as hostile or corrupt (see ReadLimits)", _tagStart);
        }
    }

    /// <summary>
    /// Skips a field whose number this schema does not know. A length-delimited one is noted in the
    /// context: protobuf keeps it as opaque bytes, but an ONNX newer than this reader may declare the
    /// number as a message and then fail to parse what this reader let through.
    /// </summary>
    public void SkipUnknown(WireType wire)
    {
        if (wire == WireType.LengthDelimited)
        {
            _context.Unknown($"field {_field} of {Where} at byte {FieldOffset}");
        }

        Skip(wire);
    }

    /// <summary>
    /// Reads the next field tag. Returns false at the end of the message. Rejects field number 0,
    /// groups (wire types 3 and 4, never used by ONNX) and the undefined wire types 6 and 7.
    /// </summary>
    public bool TryReadTag(out int field, out WireType wire)
    {
        if (_position >= _data.Length)
        {
            field = 0;
            wire = default;
            return false;
        }

        _tagStart = _position;
        ulong tag = ReadVarint();
        if (tag > uint.MaxValue)
        {
            throw ErrorAt("field tag does not fit in 32 bits", _tagStart);
        }

        field = (int)(tag >> 3);
        wire = (WireType)(int)(tag & 7);
        _field = field;
        if (field == 0)
        {
            throw ErrorAt("invalid field number 0", _tagStart);
        }

        if (wire is WireType.StartGroup or WireType.EndGroup)
        {
            throw ErrorAt($"field {field} uses protobuf groups (wire type {(int)wire}), which ONNX never uses", _tagStart);
        }

        if ((int)wire > (int)WireType.Fixed32)
        {
            throw ErrorAt($"field {field} has invalid wire type {(int)wire}", _tagStart);
        }

        return true;
    }

    /// <summary>Throws unless the current field's wire type is the one its schema declares.</summary>
    /// <remarks>
    /// Stock protobuf would silently treat a mismatch as an unknown field; for a validator a clear
    /// error is more useful, and no conforming writer produces such files.
    /// </remarks>
    public readonly void Expect(WireType actual, WireType expected, string name)
    {
        if (actual != expected)
        {
            throw ErrorAt($"field {_field} ({name}) has wire type {actual}, expected {expected}", _tagStart);
        }
    }

    /// <summary>Reads a raw base-128 varint (at most ten bytes, at most 64 bits).</summary>
    public ulong ReadVarint()
    {
        int start = _position;
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw ErrorAt("truncated varint", start);
            }

            byte b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                // The tenth byte may only carry the 64th bit; anything more is overflow or garbage.
                throw ErrorAt("varint longer than 64 bits", start);
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw ErrorAt("varint longer than 64 bits", start);
    }

    /// <summary>Reads an int64 field (varint, two's complement as protobuf encodes negatives).</summary>
    public long ReadInt64(WireType wire, string name)
    {
        Expect(wire, WireType.Varint, name);
        return (long)ReadVarint();
    }

    /// <summary>Reads an int32 or enum field; protobuf sign-extends negatives, so the low 32 bits are the value.</summary>
    public int ReadInt32(WireType wire, string name)
    {
        Expect(wire, WireType.Varint, name);
        return unchecked((int)ReadVarint());
    }

    /// <summary>Reads a float field (fixed32, little-endian).</summary>
    public float ReadFloat(WireType wire, string name)
    {
        Expect(wire, WireType.Fixed32, name);
        return ReadRawFloat();
    }

    /// <summary>Reads a string field as UTF-8; invalid sequences become U+FFFD, as ONNX (proto2) does not validate them.</summary>
    public string ReadString(WireType wire, string name)
    {
        Expect(wire, WireType.LengthDelimited, name);
        ReadOnlySpan<byte> bytes = ReadLengthDelimited(out _);
        Charge(24 + (2L * bytes.Length));
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Reads a bytes field and returns a view into the buffer (no copy).</summary>
    public ReadOnlySpan<byte> ReadBytes(WireType wire, string name)
    {
        Expect(wire, WireType.LengthDelimited, name);
        return ReadLengthDelimited(out _);
    }

    /// <summary>Opens an embedded message as a child reader over the same buffer.</summary>
    /// <param name="wire">The field's wire type (must be length-delimited).</param>
    /// <param name="name">The field name for error messages.</param>
    /// <param name="where">The child's path for error messages.</param>
    public ProtoReader ReadMessage(WireType wire, string name, string where)
    {
        Expect(wire, WireType.LengthDelimited, name);
        if (Depth + 1 > MaxDepth)
        {
            throw ErrorAt($"messages nested deeper than {MaxDepth} levels", _tagStart);
        }

        ReadOnlySpan<byte> payload = ReadLengthDelimited(out int payloadStart);
        Charge(ReadContext.MessageCost);
        return new ProtoReader(payload, _origin + payloadStart, where, Depth + 1, _context);
    }

    /// <summary>Reads a repeated int64 field element-wise (varint) or packed (length-delimited).</summary>
    public void ReadInt64s(WireType wire, string name, List<long> into)
    {
        if (wire == WireType.Varint)
        {
            Charge(2 * sizeof(long));
            into.Add((long)ReadVarint());
            return;
        }

        ProtoReader packed = OpenPacked(wire, name);
        int count = packed.CountVarints();
        Charge(2L * sizeof(long) * count);
        into.EnsureCapacity(into.Count + count);
        while (packed._position < packed._data.Length)
        {
            into.Add((long)packed.ReadVarint());
        }
    }

    /// <summary>Reads a repeated int32 field element-wise (varint) or packed (length-delimited).</summary>
    public void ReadInt32s(WireType wire, string name, List<int> into)
    {
        if (wire == WireType.Varint)
        {
            Charge(2 * sizeof(int));
            into.Add(unchecked((int)ReadVarint()));
            return;
        }

        ProtoReader packed = OpenPacked(wire, name);
        int count = packed.CountVarints();
        Charge(2L * sizeof(int) * count);
        into.EnsureCapacity(into.Count + count);
        while (packed._position < packed._data.Length)
        {
            into.Add(unchecked((int)packed.ReadVarint()));
        }
    }

    /// <summary>Reads a repeated float field element-wise (fixed32) or packed (length-delimited).</summary>
    public void ReadFloats(WireType wire, string name, List<float> into)
    {
        if (wire == WireType.Fixed32)
        {
            Charge(2 * sizeof(float));
            into.Add(ReadRawFloat());
            return;
        }

        ProtoReader packed = OpenPacked(wire, name);
        packed.RequireMultipleOf(sizeof(float), name);
        Charge(2L * packed._data.Length);
        into.EnsureCapacity(into.Count + (packed._data.Length / sizeof(float)));
        while (packed._position < packed._data.Length)
        {
            into.Add(packed.ReadRawFloat());
        }
    }

    /// <summary>Reads a repeated double field element-wise (fixed64) or packed (length-delimited).</summary>
    public void ReadDoubles(WireType wire, string name, List<double> into)
    {
        if (wire == WireType.Fixed64)
        {
            Charge(2 * sizeof(double));
            into.Add(ReadRawDouble());
            return;
        }

        ProtoReader packed = OpenPacked(wire, name);
        packed.RequireMultipleOf(sizeof(double), name);
        Charge(2L * packed._data.Length);
        into.EnsureCapacity(into.Count + (packed._data.Length / sizeof(double)));
        while (packed._position < packed._data.Length)
        {
            into.Add(packed.ReadRawDouble());
        }
    }

    /// <summary>Skips a field whose number the schema here does not use, whatever its wire type.</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Take(8, "fixed64 value");
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited(out _);
                break;
            case WireType.Fixed32:
                Take(4, "fixed32 value");
                break;
            default:
                // TryReadTag already rejects groups and undefined wire types; this guards misuse.
                throw ErrorAt($"cannot skip wire type {(int)wire}", _tagStart);
        }
    }

    /// <summary>An error located at the tag of the field just read.</summary>
    public readonly OnnxFormatException ErrorAtField(string what) => ErrorAt(what, _tagStart);

    /// <summary>An error about the message as a whole (no byte offset is meaningful).</summary>
    public readonly OnnxFormatException ErrorInMessage(string what) => new($"{what} in {Where}");

    private readonly OnnxFormatException ErrorAt(string what, int position) =>
        new($"{what} at byte {_origin + position} in {Where}");

    private ReadOnlySpan<byte> ReadLengthDelimited(out int payloadStart)
    {
        int start = _position;
        ulong length = ReadVarint();
        int remaining = _data.Length - _position;
        if (length > (ulong)remaining)
        {
            throw ErrorAt($"length-delimited field of {length} bytes exceeds buffer ({remaining} bytes left)", start);
        }

        payloadStart = _position;
        _position += (int)length;
        return _data.Slice(payloadStart, (int)length);
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (_data.Length - _position < count)
        {
            throw ErrorAt($"truncated {what}", _position);
        }

        ReadOnlySpan<byte> bytes = _data.Slice(_position, count);
        _position += count;
        return bytes;
    }

    private float ReadRawFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4, "float"));

    private double ReadRawDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, "double"));

    private ProtoReader OpenPacked(WireType wire, string name)
    {
        if (wire != WireType.LengthDelimited)
        {
            throw ErrorAt($"field {_field} ({name}) has wire type {wire}, expected a scalar or packed encoding", _tagStart);
        }

        ReadOnlySpan<byte> payload = ReadLengthDelimited(out int payloadStart);
        return new ProtoReader(payload, _origin + payloadStart, $"{Where}.{name}", Depth, _context);
    }

    private readonly void RequireMultipleOf(int size, string name)
    {
        if (_data.Length % size != 0)
        {
            throw ErrorAt($"packed field {name} has {_data.Length} bytes, not a multiple of {size}", 0);
        }
    }

    /// <summary>Counts terminating bytes, which equals the varint count of well-formed packed data; used only to size lists.</summary>
    private readonly int CountVarints()
    {
        int count = 0;
        foreach (byte b in _data)
        {
            if (b < 0x80)
            {
                count++;
            }
        }

        return count;
    }
}
