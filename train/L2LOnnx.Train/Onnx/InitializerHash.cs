using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using L2LOnnx.Runtime.Onnx;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// A content hash of a graph's initializers that changes exactly when a weight, its name, type or
/// shape changes, and not when a tool re-serializes the file: it hashes values, not protobuf bytes
/// (proto2 and proto3 writers encode the same tensor differently).
/// </summary>
/// <remarks>
/// SHA-256, lower-case hex, over every initializer in graph order: the name in UTF-8 and a zero byte;
/// the element type (int32) and rank (int32); each dimension (int64); then the elements as
/// little-endian bytes, taken from <c>raw_data</c> when present, else from the typed field
/// (<c>float_data</c> as float32, <c>int64_data</c> as int64, <c>int32_data</c> as int32,
/// <c>double_data</c> as float64). All integers little-endian. interop/pytorch/export_lstm_optimizer.py
/// implements the same definition.
/// </remarks>
public static class InitializerHash
{
    /// <summary>The hash of <paramref name="graph"/>'s initializers (a graph read by <see cref="OnnxModelReader"/>).</summary>
    public static string Compute(OnnxGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        foreach (var tensor in graph.Initializers)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(tensor.Name));
            hash.AppendData([0]);
            BinaryPrimitives.WriteInt32LittleEndian(number, (int)tensor.DataType);
            hash.AppendData(number[..4]);
            BinaryPrimitives.WriteInt32LittleEndian(number, tensor.Dims.Count);
            hash.AppendData(number[..4]);
            foreach (var dim in tensor.Dims)
            {
                BinaryPrimitives.WriteInt64LittleEndian(number, dim);
                hash.AppendData(number);
            }
            if (!tensor.RawData.IsEmpty)
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
