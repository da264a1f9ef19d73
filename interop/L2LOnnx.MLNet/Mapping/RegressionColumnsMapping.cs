using Microsoft.ML.Transforms;

namespace L2LOnnx.MLNet.Mapping;

/// <summary>Turns the regression scoring graph's one-element vector into the scalar <c>Score</c> column. Stateless.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class RegressionColumnsMapping : CustomMappingFactory<ScoreOnnxOutput, RegressionPrediction>
{
    /// <summary>The name saved models refer to this mapping by.</summary>
    public const string ContractName = "L2LOnnx.MLNet.RegressionColumns";

    /// <inheritdoc />
    public override Action<ScoreOnnxOutput, RegressionPrediction> GetMapping() => Map;

    private static void Map(ScoreOnnxOutput source, RegressionPrediction target) => target.Score = source.Score[0];
}
