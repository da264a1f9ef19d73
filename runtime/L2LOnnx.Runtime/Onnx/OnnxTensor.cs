using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;

namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// A tensor from an ONNX file (an initializer or a tensor attribute): its name, element type, shape
/// and data. Immutable: <c>raw_data</c> is copied out of the input buffer while reading, so the model
/// stays valid and unchanged whatever the caller later does with that buffer.
/// </summary>
public sealed class OnnxTensor
{
    /// <summary>An empty, shared map for tensors without external data.</summary>
    internal static readonly IReadOnlyDictionary<string, string> NoExternalData =
        new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(StringComparer.Ordinal));

    private readonly byte[]? _rawData;
    private readonly float[] _floatData;
    private readonly int[] _int32Data;
    private readonly long[] _int64Data;
    private readonly double[] _doubleData;

    internal OnnxTensor(
        string name,
        OnnxDataType dataType,
        long[] dims,
        long elementCount,
        byte[]? rawData,
        float[] floatData,
        int[] int32Data,
        long[] int64Data,
        double[] doubleData,
        bool isExternal,
        IReadOnlyDictionary<string, string> externalData)
    {
        Name = name;
        DataType = dataType;
        Dims = Array.AsReadOnly(dims);
        ElementCount = elementCount;
        _rawData = rawData;
        _floatData = floatData;
        _int32Data = int32Data;
        _int64Data = int64Data;
        _doubleData = doubleData;
        IsExternal = isExternal;
        ExternalData = externalData;
    }

    /// <summary>The tensor name (empty for unnamed tensor attributes).</summary>
    public string Name { get; }

    /// <summary>The element type as written in the file (may be a number not named in <see cref="OnnxDataType"/>).</summary>
    public OnnxDataType DataType { get; }

    /// <summary>The shape; empty for a scalar. Every entry is non-negative (checked while reading).</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>The product of <see cref="Dims"/> (1 for a scalar); guaranteed not to overflow.</summary>
    public long ElementCount { get; }

    /// <summary>
    /// True when the data lives outside the model file (<c>data_location</c> is EXTERNAL or
    /// <c>external_data</c> has entries). Such data cannot be decoded by this reader.
    /// </summary>
    public bool IsExternal { get; }

    /// <summary>The <c>external_data</c> entries (location, offset, length, checksum, ...); empty when none.</summary>
    public IReadOnlyDictionary<string, string> ExternalData { get; }

    /// <summary>True when the tensor carries a <c>raw_data</c> field (possibly empty).</summary>
    public bool HasRawData => _rawData is not null;

    /// <summary>The <c>raw_data</c> bytes (little-endian elements); empty when absent. A view of the reader's private copy.</summary>
    public ReadOnlyMemory<byte> RawData => _rawData;

    /// <summary>The <c>float_data</c> field as written, unchecked against the type and shape; empty when absent. Prefer <see cref="ToFloatArray"/>.</summary>
    public ReadOnlyMemory<float> FloatData => _floatData;

    /// <summary>The <c>int32_data</c> field as written (it also carries narrower integer and 16-bit float types); empty when absent.</summary>
    public ReadOnlyMemory<int> Int32Data => _int32Data;

    /// <summary>The <c>int64_data</c> field as written; empty when absent. Prefer <see cref="ToInt64Array"/>.</summary>
    public ReadOnlyMemory<long> Int64Data => _int64Data;

    /// <summary>The <c>double_data</c> field as written; empty when absent.</summary>
    public ReadOnlyMemory<double> DoubleData => _doubleData;

    /// <summary>Decodes the elements of a FLOAT tensor from <c>raw_data</c> or <c>float_data</c>.</summary>
    /// <returns>A new array the caller owns, in row-major order.</returns>
    /// <exception cref="OnnxFormatException">
    /// The tensor is not FLOAT, is external, has both or neither data fields, or its element count
    /// does not match <see cref="Dims"/>.
    /// </exception>
    public float[] ToFloatArray()
    {
        RequireType(OnnxDataType.Float);
        int count = RequireInlineCount(_floatData.Length, "float_data");
        if (_rawData is not null)
        {
            RequireRawLength(count, sizeof(float));
            float[] result = new float[count];
            if (BitConverter.IsLittleEndian)
            {
                MemoryMarshal.Cast<byte, float>((ReadOnlySpan<byte>)_rawData).CopyTo(result);
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    result[i] = BinaryPrimitives.ReadSingleLittleEndian(_rawData.AsSpan(i * sizeof(float)));
                }
            }

            return result;
        }

        RequireTypedLength(_floatData.Length, count, "float_data");
        return (float[])_floatData.Clone();
    }

    /// <summary>
    /// Decodes the elements of an INT64 tensor (from <c>raw_data</c> or <c>int64_data</c>) or, widened,
    /// of an INT32 tensor (from <c>raw_data</c> or <c>int32_data</c>).
    /// </summary>
    /// <returns>A new array the caller owns, in row-major order.</returns>
    /// <exception cref="OnnxFormatException">
    /// The tensor is neither INT64 nor INT32, is external, has both or neither data fields, or its
    /// element count does not match <see cref="Dims"/>.
    /// </exception>
    public long[] ToInt64Array()
    {
        if (DataType == OnnxDataType.Int32)
        {
            int count32 = RequireInlineCount(_int32Data.Length, "int32_data");
            long[] widened = new long[count32];
            if (_rawData is not null)
            {
                RequireRawLength(count32, sizeof(int));
                for (int i = 0; i < count32; i++)
                {
                    widened[i] = BinaryPrimitives.ReadInt32LittleEndian(_rawData.AsSpan(i * sizeof(int)));
                }

                return widened;
            }

            RequireTypedLength(_int32Data.Length, count32, "int32_data");
            for (int i = 0; i < count32; i++)
            {
                widened[i] = _int32Data[i];
            }

            return widened;
        }

        RequireType(OnnxDataType.Int64);
        int count = RequireInlineCount(_int64Data.Length, "int64_data");
        if (_rawData is not null)
        {
            RequireRawLength(count, sizeof(long));
            long[] result = new long[count];
            for (int i = 0; i < count; i++)
            {
                result[i] = BinaryPrimitives.ReadInt64LittleEndian(_rawData.AsSpan(i * sizeof(long)));
            }

            return result;
        }

        RequireTypedLength(_int64Data.Length, count, "int64_data");
        return (long[])_int64Data.Clone();
    }

    /// <summary>The name, type and shape, e.g. <c>W: FLOAT[4,20,1]</c>.</summary>
    public override string ToString() => $"{Name}: {TypeName(DataType)}[{string.Join(',', Dims)}]";

    private static string TypeName(OnnxDataType type) => type.ToString().ToUpperInvariant();

    private void RequireType(OnnxDataType expected)
    {
        if (DataType != expected)
        {
            throw new OnnxFormatException($"tensor '{Name}' has data type {TypeName(DataType)}, expected {TypeName(expected)}");
        }
    }

    /// <summary>Checks the data is inline, in exactly one field, and addressable by an array; returns the element count.</summary>
    private int RequireInlineCount(int typedLength, string typedField)
    {
        if (IsExternal)
        {
            throw new OnnxFormatException($"tensor '{Name}' stores its data externally ({ExternalLocation()}); external data is not supported");
        }

        if (_rawData is not null && typedLength > 0)
        {
            throw new OnnxFormatException($"tensor '{Name}' has both raw_data and {typedField}; ONNX allows only one");
        }

        if (ElementCount > Array.MaxLength)
        {
            throw new OnnxFormatException($"tensor '{Name}' has {ElementCount} elements, more than an array can hold");
        }

        return (int)ElementCount;
    }

    private void RequireRawLength(int count, int elementSize)
    {
        long expected = (long)count * elementSize;
        if (_rawData!.Length != expected)
        {
            throw new OnnxFormatException(
                $"tensor '{Name}' has {_rawData.Length} bytes of raw_data but dims [{string.Join(',', Dims)}] need {count} {TypeName(DataType)} elements ({expected} bytes)");
        }
    }

    private void RequireTypedLength(int actual, int count, string field)
    {
        if (actual != count)
        {
            string what = actual == 0 ? "no data" : $"{actual} values in {field}";
            throw new OnnxFormatException(
                $"tensor '{Name}' has {what} but dims [{string.Join(',', Dims)}] need {count} {TypeName(DataType)} elements");
        }
    }

    private string ExternalLocation() =>
        ExternalData.TryGetValue("location", out string? location) ? $"location '{location}'" : "no location given";
}
