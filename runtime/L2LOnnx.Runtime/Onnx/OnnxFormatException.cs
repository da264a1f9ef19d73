namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// Thrown when bytes handed to <see cref="OnnxModelReader"/> are not a well-formed ONNX model, or when
/// tensor data cannot be decoded as asked. The message names what is wrong and, for wire-format errors,
/// the byte offset and the message path (for example <c>ModelProto.graph.node[3]</c>).
/// </summary>
/// <remarks>
/// <see cref="InvalidDataException"/> would be the natural base but is sealed, so this derives from
/// <see cref="IOException"/>, as Google.Protobuf's <c>InvalidProtocolBufferException</c> does: a caller
/// that treats "cannot load the model file" as one failure catches both; catch this type to tell
/// malformed ONNX apart from disk errors.
/// </remarks>
public sealed class OnnxFormatException : IOException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public OnnxFormatException()
        : base("The data is not a well-formed ONNX model.")
    {
    }

    /// <summary>Creates the exception with a message that says what is wrong and where.</summary>
    /// <param name="message">What is wrong and where.</param>
    public OnnxFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What is wrong and where.</param>
    /// <param name="innerException">The underlying failure.</param>
    public OnnxFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
