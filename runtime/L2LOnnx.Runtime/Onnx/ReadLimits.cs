namespace L2LOnnx.Runtime.Onnx;

/// <summary>
/// Bounds on what one file may make the reader decode, so that any input is read or refused in time
/// and memory proportional to these numbers rather than to what a hostile file asks for (100 MB of
/// empty <c>node</c> entries would otherwise be 50 million node objects). Learned optimizers are tens
/// to hundreds of nodes; every bound is far above that and far below what hurts.
/// </summary>
public static class ReadLimits
{
    /// <summary>Nodes per graph.</summary>
    public const int MaxNodes = 10_000;

    /// <summary>Initializers per graph.</summary>
    public const int MaxInitializers = 10_000;

    /// <summary>Entries of <c>value_info</c> per graph.</summary>
    public const int MaxValueInfos = 10_000;

    /// <summary>Declared inputs, and declared outputs, per graph.</summary>
    public const int MaxGraphInputsOrOutputs = 1_000;

    /// <summary>Inputs, and outputs, per node.</summary>
    public const int MaxNodeInputsOrOutputs = 1_000;

    /// <summary>Attributes per node.</summary>
    public const int MaxAttributes = 100;

    /// <summary>Dimensions of one tensor or declared shape (its rank).</summary>
    public const int MaxRank = 32;

    /// <summary>Strings, and tensors, in one list attribute.</summary>
    public const int MaxListEntries = 10_000;

    /// <summary>Entries of one <c>metadata_props</c> (or other string map), and operator-set imports.</summary>
    public const int MaxMapEntries = 1_000;

    /// <summary>
    /// Managed memory the decoded model may take, in bytes (strings, numbers, weight copies and
    /// objects, estimated generously); with the file itself this keeps a read well under 1 GB.
    /// </summary>
    public const long MaxDecodedBytes = 384L << 20;
}
