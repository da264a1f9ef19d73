using L2LOnnx.Runtime;
using Google.Protobuf;
using L2LOnnx.Train.Onnx;
using Onnx;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>The runtime's test models (<see cref="LstmModels"/>) are what the exporter writes today.</summary>
public sealed class LstmModelFilesTests
{
    private const string UpdateVariable = "L2L_UPDATE_FIXTURES";

    [Fact]
    public void EveryRuntimeTestModelIsTheExportOfItsNetwork()
    {
        var update = Environment.GetEnvironmentVariable(UpdateVariable) == "1";
        foreach (var (layers, hidden, p, scale, seed) in LstmModels.All)
        {
            using var network = LstmNetworks.Network(layers, hidden, p, scale, seed);
            var exported = LstmOptimizerExporter.Build(network, new ExportMetadata { TrainedOn = "test" });
            var path = LstmModels.PathOf(layers, hidden, p, scale, seed);
            if (update) AtomicFile.WriteAllBytes(path, exported.ToByteArray());
            Assert.True(File.Exists(path), $"{path} is missing: run these tests with {UpdateVariable}=1 to write it");
            Assert.True(WithoutVersion(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path))).Equals(WithoutVersion(exported)),
                $"{path} is not what the exporter writes for its network any more: run these tests with {UpdateVariable}=1 to rewrite it");
        }
    }

    /// <summary>
    /// The model without the producer's version, which changes with every release and says nothing about
    /// the graph, and so without the metadata hash over it (the runtime's tests check the files' hashes).
    /// </summary>
    private static ModelProto WithoutVersion(ModelProto model)
    {
        var copy = model.Clone();
        copy.ProducerVersion = "";
        foreach (var entry in copy.MetadataProps.Where(m => m.Key == ContractV1.ProducerKey)) entry.Value = "";
        foreach (var entry in copy.MetadataProps.Where(m => m.Key == ContractV1.MetadataHashKey)) entry.Value = "";
        return copy;
    }
}
