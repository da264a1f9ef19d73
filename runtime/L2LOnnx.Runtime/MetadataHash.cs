using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime;

/// <summary>
/// <c>l2l.metadata_sha256</c> of contract v1 (docs/contract-v1.md): SHA-256, lower-case hex, over the
/// graph's declared inputs, its declared outputs, and every metadata entry but the hash itself, in file
/// order. Integers are little-endian; a string is its UTF-8 byte count (int32) then its bytes.
/// </summary>
/// <remarks>
/// Each list is its count (int32) then its items. A value is its name, its element type (int32, 0 when
/// it is not a tensor), its rank (int32, -1 when no shape is declared or it is not a tensor), then per
/// axis the byte 1 and <c>dim_value</c> (int64), the byte 2 and <c>dim_param</c>, or the byte 0 for an
/// axis with neither (or an empty <c>dim_param</c>). An entry is its key then its value. Like the weights
/// hash it is taken over values, not protobuf bytes, so it survives re-serialisation; with the weights
/// hash among the entries it covers the weights too. Written last, it is what a cut at a field boundary
/// removes first, which is how the runtime tells a truncated file.
/// </remarks>
public static class MetadataHash
{
    /// <summary>The hash of <paramref name="model"/>'s inputs, outputs and metadata (without <see cref="ContractV1.MetadataHashKey"/>).</summary>
    public static string Compute(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Values(hash, model.Graph.Inputs);
        Values(hash, model.Graph.Outputs);
        var entries = model.Metadata.Where(e => e.Key != ContractV1.MetadataHashKey).ToArray();
        Int32(hash, entries.Length);
        foreach (var (key, value) in entries)
        {
            String(hash, key);
            String(hash, value);
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static void Values(IncrementalHash hash, IReadOnlyList<OnnxValueInfo> values)
    {
        Int32(hash, values.Count);
        foreach (var value in values)
        {
            String(hash, value.Name);
            var shape = value.IsTensor ? value.Shape : null;
            Int32(hash, value.IsTensor ? (int)value.ElementType : 0);
            Int32(hash, shape?.Count ?? -1);
            foreach (var dim in shape ?? [])
            {
                switch (dim.Kind)
                {
                    case OnnxDimensionKind.Fixed:
                        hash.AppendData([1]);
                        Int64(hash, dim.Value);
                        break;
                    case OnnxDimensionKind.Symbolic:
                        hash.AppendData([2]);
                        String(hash, dim.Param!);
                        break;
                    default:
                        hash.AppendData([0]);
                        break;
                }
            }
        }
    }

    private static void Int32(IncrementalHash hash, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        hash.AppendData(bytes);
    }

    private static void Int64(IncrementalHash hash, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        hash.AppendData(bytes);
    }

    private static void String(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Int32(hash, bytes.Length);
        hash.AppendData(bytes);
    }
}
