using Google.Protobuf;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using Onnx;
using TorchSharp;

namespace L2LOnnx.Train.Tests.Onnx;

/// <summary>
/// Every network the trainer can make exports to a file the official ONNX checker (onnx 1.12,
/// <c>check_model(full_check=True)</c>, i.e. with strict shape inference) accepts at opset 17, IR 8.
/// </summary>
public sealed class OnnxCheckerTests
{
    /// <summary>interop/pytorch/check_onnx.py: the same check CI runs on shipped models.</summary>
    private static (int ExitCode, string Output, string Error) Check(IEnumerable<string> paths) =>
        DebianPython.Run([Path.Combine(DebianPython.RepositoryRoot(), "interop", "pytorch", "check_onnx.py"), .. paths]);

    [OnnxCheckerFact]
    public void EveryShapeOfNetworkPassesTheFullCheck()
    {
        using var temp = new TempDirectory();
        var configs = new[]
        {
            new LstmOptimizerConfig(2, 20, 10.0, 0.1),
            new LstmOptimizerConfig(1, 1, null, 1.0),
            new LstmOptimizerConfig(3, 7, 5.0, 0.01),
            new LstmOptimizerConfig(1, 40, 2.5, -0.5),
            new LstmOptimizerConfig(4, 3, null, 100.0),
        };
        var paths = new List<string>();
        for (var i = 0; i < configs.Length; i++)
        {
            torch.random.manual_seed(i);
            using var network = new LstmOptimizer(configs[i]);
            var path = temp.File($"network{i}.onnx");
            LstmOptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "test" });
            paths.Add(path);
        }

        var (exitCode, output, error) = Check(paths);

        Assert.True(exitCode == 0, $"onnx.checker refused an exported file:\n{output}\n{error}");
        Assert.Contains($"{paths.Count} of {paths.Count} files pass onnx 1.", output);
    }

    [OnnxCheckerFact]
    public void EveryGroupFilePassesTheFullCheck()
    {
        using var temp = new TempDirectory();
        torch.random.manual_seed(11);
        using var conv = new LstmOptimizer(new LstmOptimizerConfig(2, 20, 10.0, 0.01));
        using var fc = new LstmOptimizer(new LstmOptimizerConfig(1, 12, null, 0.1));
        var paths = LstmOptimizerExporter.SaveGroups(
            new Dictionary<string, LstmOptimizer> { ["conv"] = conv, ["fc"] = fc }, temp.Path, "cifar", new ExportMetadata { TrainedOn = "cifar-10" });

        var (exitCode, output, error) = Check(paths.Values);

        Assert.True(exitCode == 0, $"onnx.checker refused a group file:\n{output}\n{error}");
        Assert.Equal(new[] { "cifar.conv.onnx", "cifar.fc.onnx" }, paths.Values.Select(Path.GetFileName).Order());
    }

    /// <summary>The harness itself: an output weight [5, 1] after a 4-unit LSTM must fail strict shape inference.</summary>
    [OnnxCheckerFact]
    public void TheCheckRejectsAFileWhoseOutputLayerDoesNotFit()
    {
        using var temp = new TempDirectory();
        torch.random.manual_seed(1);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1));
        var model = LstmOptimizerExporter.Build(network, new ExportMetadata());
        var outputWeight = model.Graph.Initializer.Single(t => t.Name == "output_W");
        outputWeight.Dims[0] = 5;
        outputWeight.RawData = ByteString.CopyFrom(new byte[5 * sizeof(float)]);
        var path = temp.File("broken.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        var (exitCode, output, _) = Check([path]);

        Assert.Equal(1, exitCode);
        Assert.Contains("FAILED", output);
        Assert.Contains("ShapeInferenceError", output);
    }

    /// <summary>The checker verifies the truncation stamp as the runtime does: an exported file passes, an edited or cut one does not.</summary>
    [OnnxCheckerFact]
    public void TheCheckVerifiesTheTruncationStamp()
    {
        using var temp = new TempDirectory();
        torch.random.manual_seed(2);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1));
        var model = LstmOptimizerExporter.Build(network, new ExportMetadata { TrainedOn = "test" });
        Assert.Equal(L2LOnnx.Runtime.ContractV1.MetadataHashKey, model.MetadataProps[^1].Key);
        var stamped = temp.File("stamped.onnx");
        File.WriteAllBytes(stamped, model.ToByteArray());

        var edited = model.Clone();
        edited.MetadataProps.Single(p => p.Key == L2LOnnx.Runtime.ContractV1.TrainedOnKey).Value = "something else";
        File.WriteAllBytes(temp.File("edited.onnx"), edited.ToByteArray());
        var unstamped = model.Clone();
        unstamped.MetadataProps.RemoveAt(unstamped.MetadataProps.Count - 1);
        File.WriteAllBytes(temp.File("unstamped.onnx"), unstamped.ToByteArray());

        var (exitCode, output, _) = Check([stamped, temp.File("edited.onnx"), temp.File("unstamped.onnx")]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"ok      {stamped}", output);
        Assert.Contains("edited.onnx: ValueError: the metadata, inputs or outputs do not match l2l.metadata_sha256", output);
        Assert.Contains("unstamped.onnx: ValueError: l2l.weights_sha256 without l2l.metadata_sha256", output);
        Assert.Contains("1 of 3 files pass", output);
    }
}
