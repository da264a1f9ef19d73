namespace L2LOnnx.MLNet;

/// <summary>
/// Training produced a non-finite loss, gradient or parameter, so no model was returned. The message
/// names the optimizer, the step, and what to try.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception with a message that says where training diverged.</summary>
    public TrainingDivergedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that revealed the divergence.</summary>
    public TrainingDivergedException(string message, Exception inner) : base(message, inner) { }
}
