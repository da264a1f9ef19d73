namespace L2LOnnx.Runtime;

/// <summary>
/// Names and rules of the ONNX optimizer contract, version 1 (docs/contract-v1.md). Any ONNX file that
/// obeys them runs in this runtime, whoever produced it.
/// </summary>
public static class ContractV1
{
    /// <summary>Required input: the raw gradient, float32 [N].</summary>
    public const string GradInput = "grad";

    /// <summary>Optional input: the current parameter values, float32 [N].</summary>
    public const string ParamInput = "param";

    /// <summary>Required output: the update to add to the parameters, float32 [N].</summary>
    public const string UpdateOutput = "update";

    /// <summary>Prefix of every state input, float32 [N, S].</summary>
    public const string StatePrefix = "state_";

    /// <summary>Suffix that turns a state input's name into its output's name.</summary>
    public const string StateOutputSuffix = "_out";

    /// <summary>Required metadata key; its value must be <see cref="FormatVersion"/>.</summary>
    public const string FormatKey = "l2l.format";

    /// <summary>The contract version this runtime implements.</summary>
    public const string FormatVersion = "1";

    /// <summary>Recommended metadata: the network family, e.g. <c>lstm-coordinatewise</c>.</summary>
    public const string ArchitectureKey = "l2l.architecture";

    /// <summary>Recommended metadata: the problem family the optimizer was meta-trained on.</summary>
    public const string TrainedOnKey = "l2l.trained_on";

    /// <summary>
    /// Metadata: SHA-256 of the weights (docs/contract-v1.md defines it). Checked at load when present,
    /// and required when the file has any <c>l2l.*</c> key besides <see cref="FormatKey"/> and <see cref="MetadataHashKey"/>.
    /// </summary>
    public const string WeightsHashKey = "l2l.weights_sha256";

    /// <summary>
    /// Metadata, the last entry: SHA-256 over the graph's declared inputs and outputs and every metadata
    /// entry before it (<see cref="MetadataHash"/> defines and computes it). Checked at load when present,
    /// and required when the file records <see cref="WeightsHashKey"/>: protobuf has no end marker, so a
    /// file cut between two metadata entries still parses, and a missing last entry is what shows the cut.
    /// <c>l2l stamp</c> (<see cref="Onnx.Writing.ModelStamp"/>) adds it to an existing file.
    /// </summary>
    public const string MetadataHashKey = "l2l.metadata_sha256";

    /// <summary>Recommended metadata: the tool (and version) that wrote the file.</summary>
    public const string ProducerKey = "l2l.producer";
}
