using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Train.Conformance;
using L2LOnnx.Train.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// Reads a contract-v1 ONNX file of the coordinatewise LSTM family (written by
/// <see cref="LstmOptimizerExporter"/>, or by <c>torch.onnx.export</c> through
/// <c>interop/pytorch/export_lstm_optimizer.py</c>) back into a TorchSharp <see cref="LstmOptimizer"/>
/// with identical behaviour, so an optimizer trained elsewhere can be evaluated, meta-trained further
/// and exported again.
/// </summary>
/// <remarks>
/// The weights are copied bit for bit (gate blocks permuted back from ONNX's i, o, f, c to PyTorch's
/// i, f, g, o). Preprocessing and the output multiplier are read from the metadata, so the importer
/// then runs the file in ONNX Runtime and the new network side by side on gradients spanning every
/// preprocessing branch and refuses the file if they differ by more than <see cref="Tolerance"/>:
/// a file that only looks like the family is caught there.
/// Creating the network draws its (then overwritten) initial weights from TorchSharp's global generator.
/// </remarks>
public static class LstmOptimizerImporter
{
    /// <summary>The largest relative difference the import check accepts between ONNX Runtime and TorchSharp.</summary>
    public const double Tolerance = 1e-5;

    private const int CheckCoordinates = 64;
    private const int CheckSteps = ConformanceGradients.Classes;

    /// <summary>Imports the file at <paramref name="path"/>.</summary>
    /// <param name="path">A contract-v1 <c>.onnx</c> file.</param>
    /// <param name="verify">Run the file and the network side by side and refuse on disagreement (needs ONNX Runtime's native library).</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="OnnxImportException">The file is not a contract-v1 file of the LSTM family; the message says why.</exception>
    public static ImportedLstmOptimizer Import(string path, bool verify = true)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"no ONNX file at '{Path.GetFullPath(path)}'", path);
        try
        {
            return Import(File.ReadAllBytes(path), verify);
        }
        catch (OnnxImportException e)
        {
            throw new OnnxImportException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Imports a model from its bytes.</summary>
    /// <inheritdoc cref="Import(string, bool)"/>
    public static ImportedLstmOptimizer Import(byte[] model, bool verify = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        OnnxModel read;
        try
        {
            read = OnnxModelReader.Read(model);
        }
        catch (OnnxFormatException e)
        {
            throw new OnnxImportException($"not an ONNX model ({e.Message})", e);
        }
        var weights = LstmGraphReader.Read(read);
        var metadata = new Dictionary<string, string>(read.Metadata, StringComparer.Ordinal);
        var network = Build(weights);
        try
        {
            var difference = verify ? Verify(model, network) : (double?)null;
            return new ImportedLstmOptimizer(network, metadata, difference);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Imports every group file <c>&lt;name&gt;.&lt;group&gt;.onnx</c> in <paramref name="directory"/>, as
    /// written by <see cref="LstmOptimizerExporter.SaveGroups"/>, by group.
    /// </summary>
    /// <exception cref="FileNotFoundException">No group file of that name exists.</exception>
    /// <exception cref="OnnxImportException">A file does not import, or its <c>l2l.group</c> disagrees with its file name.</exception>
    public static IReadOnlyDictionary<string, ImportedLstmOptimizer> ImportGroups(string directory, string name, bool verify = true)
    {
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, name + ".*.onnx") : Array.Empty<string>();
        if (files.Length == 0)
            throw new FileNotFoundException($"no group files '{name}.<group>.onnx' in '{Path.GetFullPath(directory)}'");
        var groups = new Dictionary<string, ImportedLstmOptimizer>(StringComparer.Ordinal);
        try
        {
            foreach (var file in files.Order(StringComparer.Ordinal))
            {
                var group = Path.GetFileName(file)[(name.Length + 1)..^".onnx".Length];
                var imported = Import(file, verify);
                groups[group] = imported;
                if (imported.Metadata.GetValueOrDefault(LstmMetadataKeys.Group) != group)
                    throw new OnnxImportException($"{file}: the file name says group '{group}' but '{LstmMetadataKeys.Group}' says '{imported.Metadata.GetValueOrDefault(LstmMetadataKeys.Group) ?? "(absent)"}'");
            }
            return groups;
        }
        catch
        {
            foreach (var imported in groups.Values) imported.Dispose();
            throw;
        }
    }

    private static LstmOptimizer Build(LstmNetworkWeights weights)
    {
        var config = weights.Config;
        var hidden = config.HiddenSize;
        var network = new LstmOptimizer(config);
        using var noGrad = no_grad();
        for (var layer = 0; layer < config.Layers; layer++)
        {
            var cell = network.Cells[layer];
            var source = weights.Layers[layer];
            var inputSize = layer == 0 ? config.InputSize : hidden;
            Assign(cell.weight_ih!, TorchGateOrder(source.W), 4 * hidden, inputSize);
            Assign(cell.weight_hh!, TorchGateOrder(source.R), 4 * hidden, hidden);
            Assign(cell.bias_ih!, TorchGateOrder(source.B[..(4 * hidden)]), 4 * hidden);
            Assign(cell.bias_hh!, TorchGateOrder(source.B[(4 * hidden)..]), 4 * hidden);
        }
        Assign(network.Output.weight!, weights.OutputWeight, 1, hidden);
        Assign(network.Output.bias!, new[] { weights.OutputBias }, 1);
        return network;
    }

    /// <summary>ONNX gate blocks (i, o, f, c) back into PyTorch's order (i, f, g, o).</summary>
    private static float[] TorchGateOrder(float[] onnx)
    {
        var block = onnx.Length / 4;
        var torchOrder = new float[onnx.Length];
        for (var onnxGate = 0; onnxGate < 4; onnxGate++)
            Array.Copy(onnx, onnxGate * block, torchOrder, LstmOptimizerExporter.TorchGateOfOnnxGate[onnxGate] * block, block);
        return torchOrder;
    }

    private static void Assign(Tensor parameter, float[] values, params long[] shape)
    {
        using var source = tensor(values, shape);
        parameter.copy_(source);
    }

    /// <summary>Runs the file (ONNX Runtime) and the network (TorchSharp) side by side; returns the largest difference.</summary>
    private static double Verify(byte[] model, LstmOptimizer network)
    {
        LearnedOptimizer runtime;
        try
        {
            runtime = LearnedOptimizer.Load(model, new LearnedOptimizerOptions { Engine = OptimizerEngine.OnnxRuntime, IntraOpThreads = 1 });
        }
        catch (ContractViolationException e)
        {
            throw new OnnxImportException($"the file breaks contract v1: {e.Message}", e);
        }
        using (runtime)
        using (var reference = new RuntimeConformanceEngine(runtime, "ONNX Runtime"))
        using (var imported = new TorchSharpConformanceEngine(network))
        {
            var threshold = GradientPreprocessing.Threshold(network.Config.PreprocessingP ?? ConformanceGradients.DefaultP);
            var settings = new ConformanceSettings { Coordinates = CheckCoordinates, Steps = CheckSteps, StateEvery = 1 };
            var vectors = ConformanceRecorder.Record(reference, runtime.Contract.States, model, "(import check)", threshold, settings);
            var report = ConformanceReplay.Run(vectors, imported);
            if (report.Difference > Tolerance)
                throw new OnnxImportException(
                    $"the file holds LSTM-family weights but computes something else: at step {report.Step}, {report.Value}[{report.Index}] differs by {report.Difference:E2} " +
                    $"(tolerance {Tolerance:E0}) between ONNX Runtime and the imported network. It has operators or constants the family does not have, " +
                    $"or its metadata ('{LstmMetadataKeys.Preprocessing}', '{LstmMetadataKeys.OutputScale}') does not describe its graph");
            return report.Difference;
        }
    }
}
