using L2LOnnx.Runtime;
using L2LOnnx.Train;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>
/// The C# of docs/training.md and docs/interop.md (scripts/snippets.py copies the regions below into
/// them), run on a tiny budget: meta-train, export, import, fine-tune and export again, and the
/// per-group files.
/// </summary>
public sealed class DocumentedUseTests
{
    [Fact]
    public void MetaTrainExportImportAndExportAgain()
    {
        using var temp = new TempDirectory();
        var checkpoint = temp.File("quadratic.ckpt");
        var path = temp.File("quadratic.onnx");
        var token = CancellationToken.None;

        // begin-snippet: library-use
        TorchRuntime.Configure(threads: 1);
        using var family = new ProblemSpec { Kind = ProblemKind.Quadratic }.Training();
        using var optimizer = GroupedOptimizer.Shared(new LstmOptimizer(new LstmOptimizerConfig()));
        var options = new MetaTrainingOptions
        {
            Trajectories = 2, ProblemsPerTrajectory = 4, CheckpointPath = checkpoint,   // e.g. 500 on MNIST
        };
        var result = new MetaTrainer(optimizer, family, options).Train(progress: null, cancellation: token, resume: false);
        var network = (LstmOptimizer)optimizer.Networks[0].Network;   // the trained LSTM, to export
        // end-snippet

        // begin-snippet: export
        LstmOptimizerExporter.Save(network, path,
            ExportMetadata.ForMetaTraining("quadratic-10d", options, result));   // l2l.meta.* from the run
        // end-snippet

        var finetuned = temp.File("quadratic-finetuned.onnx");
        // begin-snippet: import
        using var imported = LstmOptimizerImporter.Import(path);
        LstmOptimizer importedNetwork = imported.Network;  // evaluate it, or meta-train it further
        // ... fine-tune ...
        LstmOptimizerExporter.Save(importedNetwork, finetuned, imported.Provenance);
        // end-snippet

        using var exported = LearnedOptimizer.Load(path);
        using var again = LearnedOptimizer.Load(finetuned);
        Assert.Equal("2", again.Contract.Metadata["l2l.meta.trajectories"]);
        Assert.Equal("quadratic-10d", again.Contract.Metadata["l2l.trained_on"]);
        Assert.Equal(exported.Contract.Metadata["l2l.weights_sha256"], again.Contract.Metadata["l2l.weights_sha256"]);
    }

    [Fact]
    public void SaveGroupsWritesOneFilePerGroup()
    {
        using var temp = new TempDirectory();
        var folder = temp.File("out");
        Directory.CreateDirectory(folder);
        using var convNetwork = new LstmOptimizer(new LstmOptimizerConfig());
        using var fcNetwork = new LstmOptimizer(new LstmOptimizerConfig());

        // begin-snippet: save-groups
        var paths = LstmOptimizerExporter.SaveGroups(
            new Dictionary<string, LstmOptimizer> { ["conv"] = convNetwork, ["fc"] = fcNetwork },
            folder, "cifar", new ExportMetadata { TrainedOn = "cifar-10" });
        // out/cifar.conv.onnx, out/cifar.fc.onnx
        // end-snippet

        Assert.Equal(Path.Combine(folder, "cifar.conv.onnx"), paths["conv"]);
        Assert.Equal(Path.Combine(folder, "cifar.fc.onnx"), paths["fc"]);
        var imported = LstmOptimizerImporter.ImportGroups(folder, "cifar");
        Assert.Equal(["conv", "fc"], imported.Keys.Order());
        foreach (var group in imported.Values) group.Dispose();
    }
}
