using Microsoft.ML.Transforms;

namespace L2LOnnx.MLNet.Mapping;

/// <summary>
/// Turns the binary scoring graph's one-element vectors into the scalar columns ML.NET's evaluator
/// expects (ML.NET 5's ONNX transformer cannot emit scalars). Stateless, so a saved model stores only the
/// contract name and finds this class again when loaded.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class BinaryColumnsMapping : CustomMappingFactory<BinaryOnnxOutputs, BinaryPrediction>
{
    /// <summary>The name saved models refer to this mapping by.</summary>
    public const string ContractName = "L2LOnnx.MLNet.BinaryColumns";

    /// <inheritdoc />
    public override Action<BinaryOnnxOutputs, BinaryPrediction> GetMapping() => Map;

    private static void Map(BinaryOnnxOutputs source, BinaryPrediction target)
    {
        target.Score = source.Score[0];
        target.Probability = source.Probability[0];
        target.PredictedLabel = source.PredictedLabel[0];
    }
}
