using Google.Protobuf;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using Onnx;
using TorchSharp;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>What an exported file records about its origin.</summary>
public sealed class ExportMetadataTests
{
    [Fact]
    public void AMetaTrainedNetworkRecordsItsSettingsScoresAndWeightsHash()
    {
        var options = new MetaTrainingOptions { Trajectories = 40, MetaLearningRate = 0.003, MetaGradientClip = null, Seed = 9 };
        var result = new MetaTrainingResult(40, InitialValidation: 812.5, BestValidation: 61.25, BestTrajectory: 30, SkippedMetaSteps: 1, TimeSpan.FromSeconds(12.34));
        torch.random.manual_seed(1);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(2, 20, 10.0, 0.1));

        var model = LstmOptimizerExporter.Build(network, ExportMetadata.ForMetaTraining("quadratic-10d", options, result) with { Group = "all" });

        var props = model.MetadataProps.ToDictionary(m => m.Key, m => m.Value);
        Assert.Equal("quadratic-10d", props["l2l.trained_on"]);
        Assert.Equal("all", props["l2l.group"]);
        Assert.Equal("40", props["l2l.meta.trajectories"]);
        Assert.Equal("0.003", props["l2l.meta.learning_rate"]);
        Assert.Equal("none", props["l2l.meta.gradient_clip"]);
        Assert.Equal("61.25", props["l2l.meta.validation_loss"]);
        Assert.Equal("812.5", props["l2l.meta.validation_loss_untrained"]);
        Assert.Equal("30", props["l2l.meta.best_trajectory"]);
        Assert.Equal("12.3", props["l2l.meta.seconds"]);
        Assert.Equal("log-sign p=10", props["l2l.preprocessing"]);
        Assert.StartsWith("L2LOnnx ", props["l2l.producer"]);
        Assert.Equal(InitializerHash.Compute(Graph(model)), props["l2l.weights_sha256"]);
        Assert.Equal(model.MetadataProps.Count, props.Count);
    }

    [Fact]
    public void TheWeightsHashFollowsTheWeightsOnly()
    {
        torch.random.manual_seed(1);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1));
        var first = LstmOptimizerExporter.Build(network, new ExportMetadata { TrainedOn = "a" });
        var relabelled = LstmOptimizerExporter.Build(network, new ExportMetadata { TrainedOn = "b" });
        using (torch.no_grad()) network.Output.bias!.add_(1e-3f);
        var changed = LstmOptimizerExporter.Build(network, new ExportMetadata { TrainedOn = "a" });

        Assert.Equal(InitializerHash.Compute(Graph(first)), InitializerHash.Compute(Graph(relabelled)));
        Assert.NotEqual(InitializerHash.Compute(Graph(first)), InitializerHash.Compute(Graph(changed)));
    }

    /// <summary>The graph as a reader sees it, which is what the hash is defined on.</summary>
    private static OnnxGraph Graph(ModelProto model) => OnnxModelReader.Read(model.ToByteArray()).Graph;
}
