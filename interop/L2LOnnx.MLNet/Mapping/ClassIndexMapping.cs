using Microsoft.ML.Transforms;

namespace L2LOnnx.MLNet.Mapping;

/// <summary>Turns the multiclass scoring graph's one-element class-index vector into a scalar. Stateless.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ClassIndexMapping : CustomMappingFactory<ClassIndexOnnxOutput, ClassIndex>
{
    /// <summary>The name saved models refer to this mapping by.</summary>
    public const string ContractName = "L2LOnnx.MLNet.ClassIndex";

    /// <inheritdoc />
    public override Action<ClassIndexOnnxOutput, ClassIndex> GetMapping() => Map;

    private static void Map(ClassIndexOnnxOutput source, ClassIndex target) => target.Index = source.ClassIndex[0];
}
