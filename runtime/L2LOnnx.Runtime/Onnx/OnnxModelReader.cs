namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// Reads ONNX model files (protobuf <c>ModelProto</c>) without any protobuf library, so the runtime can
/// validate a file before ONNX Runtime sees it and a CPU engine can take weights from the initializers.
/// </summary>
/// <remarks>
/// <para>
/// Ownership: the reader keeps no reference to the input. Strings are decoded and <c>raw_data</c> is
/// copied into the result, so the caller may reuse or mutate the buffer as soon as a method returns.
/// The cost is one extra copy of the weights, which for learned optimizers is a few kilobytes.
/// </para>
/// <para>
/// Robustness: every length and offset is checked against the buffer; malformed input of any kind
/// raises <see cref="OnnxFormatException"/> with the byte offset and message path. Unknown fields are
/// skipped, as protobuf requires, so files from newer ONNX versions still read. Messages may nest at
/// most 64 deep. Subgraphs, functions and sparse initializers are detected but not decoded.
/// </para>
/// <para>Thread safety: the reader is stateless and the returned model is immutable.</para>
/// </remarks>
public static class OnnxModelReader
{
    /// <summary>Reads a model from serialized <c>ModelProto</c> bytes.</summary>
    /// <param name="bytes">The file contents.</param>
    /// <returns>The decoded model; it does not reference <paramref name="bytes"/>.</returns>
    /// <exception cref="OnnxFormatException">The bytes are not a well-formed ONNX model.</exception>
    public static OnnxModel Read(ReadOnlySpan<byte> bytes) => ModelProtoParser.Parse(bytes);

    /// <summary>Reads a model from serialized <c>ModelProto</c> bytes.</summary>
    /// <param name="bytes">The file contents.</param>
    /// <returns>The decoded model; it does not reference <paramref name="bytes"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is null.</exception>
    /// <exception cref="OnnxFormatException">The bytes are not a well-formed ONNX model.</exception>
    public static OnnxModel Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return ModelProtoParser.Parse(bytes);
    }

    /// <summary>Reads a model from an <c>.onnx</c> file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The decoded model.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="OnnxFormatException">The file is not a well-formed ONNX model; the message names the file.</exception>
    public static OnnxModel ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return ModelProtoParser.Parse(bytes);
        }
        catch (OnnxFormatException e)
        {
            throw new OnnxFormatException($"{path}: {e.Message}", e);
        }
    }
}
