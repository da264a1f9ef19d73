using System.Text;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>Protobuf bytes written by hand, for files no well-behaved writer would produce.</summary>
internal static class Wire
{
    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    public static byte[] Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    /// <summary>A length-delimited field.</summary>
    public static byte[] Field(int field, byte[] payload) => Join(Tag(field, 2), Varint((ulong)payload.Length), payload);

    public static byte[] Field(int field, string text) => Field(field, Encoding.UTF8.GetBytes(text));

    public static byte[] Number(int field, long value) => [.. Tag(field, 0), .. Varint((ulong)value)];

    public static byte[] Join(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => (long)p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, at);
            at += part.Length;
        }
        return result;
    }

    /// <summary><paramref name="count"/> copies of <paramref name="entry"/> in one array, fast.</summary>
    public static byte[] Repeat(byte[] entry, int count)
    {
        var result = new byte[entry.Length * count];
        entry.CopyTo(result, 0);
        // Doubling copies: a hundred megabytes in a few dozen block copies.
        for (var filled = entry.Length; filled < result.Length; filled *= 2)
            Array.Copy(result, 0, result, filled, Math.Min(filled, result.Length - filled));
        return result;
    }

    /// <summary>A ModelProto around <paramref name="graph"/>: IR 8, opset 17, <c>l2l.format = 1</c>.</summary>
    public static byte[] Model(byte[] graph) => Join(
        Number(1, 8),
        Field(7, graph),
        Field(8, Join(Field(1, ""), Number(2, 17))),
        Field(14, Join(Field(1, "l2l.format"), Field(2, "1"))));

    /// <summary>TensorProto fields: name, data type, dims.</summary>
    public static byte[] TensorHeader(string name, int dataType, params long[] dims) =>
        Join([Field(8, name), Number(2, dataType), .. dims.Select(d => Number(1, d))]);

    /// <summary>A tensor whose data lives in <paramref name="location"/>.</summary>
    public static byte[] ExternalTensor(string name, string location, int dataType, params long[] dims) => Join(
        TensorHeader(name, dataType, dims),
        Field(13, Join(Field(1, "location"), Field(2, location))),
        Number(14, 1));

    /// <summary>The top-level fields of a message, in file order: number, first byte, one past the last byte.</summary>
    public static IReadOnlyList<(int Field, int Start, int End)> Fields(byte[] message)
    {
        var fields = new List<(int, int, int)>();
        var at = 0;
        while (at < message.Length)
        {
            var start = at;
            var tag = ReadVarint(message, ref at);
            switch (tag & 7)
            {
                case 0: ReadVarint(message, ref at); break;
                case 1: at += 8; break;
                case 2:
                    var length = (int)ReadVarint(message, ref at);
                    at += length;
                    break;
                case 5: at += 4; break;
                default: throw new InvalidDataException($"wire type {tag & 7} at byte {start}");
            }
            fields.Add(((int)(tag >> 3), start, at));
        }
        return fields;
    }

    private static ulong ReadVarint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
