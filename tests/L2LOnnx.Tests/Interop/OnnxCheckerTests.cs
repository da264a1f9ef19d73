using Google.Protobuf;
using L2LOnnx.Interop.Onnx;
using L2LOnnx.Train.Optimizers;
using Onnx;
using TorchSharp;

namespace L2LOnnx.Tests.Interop;

/// <summary>
/// Every network the trainer can make exports to a file the official ONNX checker (onnx 1.12,
/// <c>check_model(full_check=True)</c>, i.e. with strict shape inference) accepts at opset 17, IR 8.
/// </summary>
public sealed class OnnxCheckerTests
{
    private const string CheckScript = """
        import sys, onnx
        for path in sys.argv[1:]:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
            opsets = {o.domain: o.version for o in model.opset_import}
            assert model.ir_version == 8 and opsets == {"": 17}, (path, model.ir_version, opsets)
            print("ok", path)
        """;

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

        var (exitCode, output, error) = DebianPython.Run(["-c", CheckScript, .. paths]);

        Assert.True(exitCode == 0, $"onnx.checker refused an exported file:\n{error}");
        Assert.Equal(paths.Count, output.Split('\n').Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
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

        var (exitCode, _, error) = DebianPython.Run(["-c", CheckScript, .. paths.Values]);

        Assert.True(exitCode == 0, $"onnx.checker refused a group file:\n{error}");
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
        var output = model.Graph.Initializer.Single(t => t.Name == "output_W");
        output.Dims[0] = 5;
        output.RawData = ByteString.CopyFrom(new byte[5 * sizeof(float)]);
        var path = temp.File("broken.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        var (exitCode, _, error) = DebianPython.Run("-c", CheckScript, path);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ShapeInferenceError", error);
    }
}
