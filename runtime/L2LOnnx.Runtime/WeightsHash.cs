using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Runtime;

/// <summary>
/// <c>l2l.weights_sha256</c> of contract v1 (docs/contract-v1.md): SHA-256, lower-case hex, over every
/// initializer in graph order of its name (UTF-8) and a zero byte, element type (int32), rank (int32),
/// dims (int64 each), then its values as little-endian bytes, from <c>raw_data</c> when it is not
/// empty, else from <c>float_data</c>, <c>int64_data</c>, <c>int32_data</c>, <c>double_data</c>. It
/// hashes values, not protobuf bytes, so it survives re-serialisation by another tool.
/// </summary>
public static class WeightsHash
{
    /// <summary>The hash of <paramref name="graph"/>'s initializers.</summary>
    public static string Compute(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        ReadOnlySpan<byte> zero = [0];
        foreach (var tensor in graph.Initializers)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(tensor.Name));
            hash.AppendData(zero);
            BinaryPrimitives.WriteInt32LittleEndian(number, (int)tensor.DataType);
            hash.AppendData(number[..4]);
            BinaryPrimitives.WriteInt32LittleEndian(number, tensor.Dims.Count);
            hash.AppendData(number[..4]);
            foreach (var dim in tensor.Dims)
            {
                BinaryPrimitives.WriteInt64LittleEndian(number, dim);
                hash.AppendData(number);
            }
            if (tensor.RawData.Length > 0)
            {
                hash.AppendData(tensor.RawData.Span);
                continue;
            }
            foreach (var value in tensor.FloatData.Span)
            {
                BinaryPrimitives.WriteSingleLittleEndian(number, value);
                hash.AppendData(number[..4]);
            }
            foreach (var value in tensor.Int64Data.Span)
            {
                BinaryPrimitives.WriteInt64LittleEndian(number, value);
                hash.AppendData(number);
            }
            foreach (var value in tensor.Int32Data.Span)
            {
                BinaryPrimitives.WriteInt32LittleEndian(number, value);
                hash.AppendData(number[..4]);
            }
            foreach (var value in tensor.DoubleData.Span)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(number, value);
                hash.AppendData(number);
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}
