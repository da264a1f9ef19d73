using System.Globalization;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Onnx;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using TorchSharp;

namespace L2LOnnx.Train.Onnx;

/// <summary>
/// A <see cref="WarmStart"/> from an exported contract-v1 file instead of a checkpoint: meta-training
/// continues from a shipped model (<c>models/general.onnx</c>) or one trained elsewhere, whose
/// checkpoint the user does not have.
/// </summary>
/// <remarks>
/// <para>
/// The MLP family (<see cref="MlpOptimizerExporter"/>) is read from its initializers by name. Its
/// features, step size and ranges are constants of the graph that the run's own <c>--optimizer</c>
/// settings must reproduce, so the warm start checks, after copying the weights in, that exporting
/// the run's network gives exactly the file's <c>l2l.weights_sha256</c>: weights and constants alike.
/// </para>
/// <para>
/// The LSTM family goes through <see cref="LstmOptimizerImporter"/>, which runs the file in ONNX
/// Runtime beside the imported network; the run's network must then describe itself the same way.
/// </para>
/// Per-group files hold one network each; a warm start for a per-group run comes from its checkpoint.
/// </remarks>
public static class ModelWarmStart
{
    /// <summary>The weights of the model file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an intact contract-v1 model of a family that can be warm-started from; the message says why.</exception>
    public static WarmStart Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"no model file at {Path.GetFullPath(path)}: pass an .onnx file written by l2l meta-train, or a checkpoint", path);
        // Read once: the LSTM importer takes the same bytes.
        var bytes = File.ReadAllBytes(path);
        OnnxModel model;
        try
        {
            model = OnnxModelReader.Read(bytes);
        }
        catch (OnnxFormatException e)
        {
            throw new InvalidDataException($"{path} is not a readable ONNX model ({e.Message})", e);
        }
        var architecture = model.Metadata.GetValueOrDefault(ContractV1.ArchitectureKey);
        return architecture switch
        {
            MlpOptimizerExporter.Architecture => FromMlp(path, model),
            LstmOptimizerExporter.Architecture => FromLstm(path, bytes, model),
            _ => throw new InvalidDataException(
                $"{path} has '{ContractV1.ArchitectureKey}' = '{architecture ?? "(absent)"}': a warm start from a model file needs one of the families " +
                $"'{MlpOptimizerExporter.Architecture}' or '{LstmOptimizerExporter.Architecture}'"),
        };
    }

    private static WarmStart FromMlp(string path, OnnxModel model)
    {
        var recorded = RecordedWeightsHash(path, model);
        var weights = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var layers = 0;
        while (model.Graph.TryGetInitializer($"hidden{layers}_W", out _))
        {
            weights[$"hidden.{layers}.weight"] = Transposed(path, model, $"hidden{layers}_W");
            weights[$"hidden.{layers}.bias"] = Values(path, model, $"hidden{layers}_B");
            layers++;
        }
        weights["head.weight"] = Transposed(path, model, "head_W");
        weights["head.bias"] = Values(path, model, "head_B");
        weights["skip.weight"] = Transposed(path, model, "skip_W");
        var fileCeiling = (double?)MlpOptimizerExporter.LogStepBounds(model.Graph)?.Max;
        return new WarmStart(Path.GetFileName(path), weights, EarlierTrajectories(model), EarlierSeconds(model), singleNetwork: true,
            check: network => network is MlpOptimizer mlp && ExportedWeightsHash(mlp, AsInFile(mlp.Config, fileCeiling)) == recorded
                ? null
                : $"this run's network ({network.Describe()}) exported with these weights is not the file's ({model.Graph.DocString.Split(". For every", 2)[0]}): " +
                  "give meta-train the --optimizer, --hidden, --decays, --output-scale, --magnitude-range, --bounded-direction, --param-feature, --time-scales and --step-adaptation(-range) settings the file was trained with (l2l inspect shows its description)");
    }

    /// <summary>
    /// The run's configuration with the file's ceiling of the learned log step: the one setting a warm start may change,
    /// since the network reads <c>l / range</c> whatever the ceiling, so lowering it keeps every weight's meaning.
    /// </summary>
    private static MlpOptimizerConfig AsInFile(MlpOptimizerConfig run, double? fileCeiling) =>
        !run.StepAdaptation || fileCeiling is not { } ceiling
            ? run
            : run with { StepAdaptationCeiling = (float)ceiling == (float)run.StepAdaptationRange ? null : ceiling };

    private static WarmStart FromLstm(string path, byte[] bytes, OnnxModel model)
    {
        using var imported = ImportLstm(path, bytes);
        var network = imported.Network;
        var description = network.Describe();
        var weights = network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray(), StringComparer.Ordinal);
        return new WarmStart(Path.GetFileName(path), weights, EarlierTrajectories(model), EarlierSeconds(model), singleNetwork: true,
            check: run => run.Describe() == description
                ? null
                : $"this run's network is {run.Describe()} but the file's is {description}: give meta-train the file's --hidden, --layers, --preprocessing and --output-scale");
    }

    private static ImportedLstmOptimizer ImportLstm(string path, byte[] bytes)
    {
        try
        {
            return LstmOptimizerImporter.Import(bytes);
        }
        catch (OnnxImportException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The file's recorded weights hash, refused unless its initializers still match it.</summary>
    private static string RecordedWeightsHash(string path, OnnxModel model)
    {
        if (!model.Metadata.TryGetValue(ContractV1.WeightsHashKey, out var recorded))
            throw new InvalidDataException($"{path} has no '{ContractV1.WeightsHashKey}': export it with l2l meta-train (or stamp it with l2l stamp) before warm-starting from it");
        if (!string.Equals(recorded.Trim(), WeightsHash.Compute(model.Graph), StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: the weights do not match '{ContractV1.WeightsHashKey}': the file is corrupt or was edited");
        return recorded.Trim().ToLowerInvariant();
    }

    /// <summary>The weights hash the exporter stamps into <paramref name="network"/>'s file, read from the model in memory.</summary>
    private static string ExportedWeightsHash(MlpOptimizer network, MlpOptimizerConfig config) =>
        MlpOptimizerExporter.Build(network, new ExportMetadata(), config).MetadataProps.Single(p => p.Key == ContractV1.WeightsHashKey).Value;

    private static float[] Values(string path, OnnxModel model, string name) => Tensor(path, model, name).ToFloatArray();

    /// <summary>A [inputs, outputs] MatMul weight back into TorchSharp's [outputs, inputs] layout.</summary>
    private static float[] Transposed(string path, OnnxModel model, string name)
    {
        var tensor = Tensor(path, model, name);
        if (tensor.Dims.Count != 2)
            throw new InvalidDataException($"{path}: initializer '{name}' has shape [{string.Join(',', tensor.Dims)}], not a matrix");
        var (rows, columns) = ((int)tensor.Dims[0], (int)tensor.Dims[1]);
        var values = tensor.ToFloatArray();
        var transposed = new float[values.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                transposed[c * rows + r] = values[r * columns + c];
        return transposed;
    }

    private static OnnxTensor Tensor(string path, OnnxModel model, string name) =>
        model.Graph.TryGetInitializer(name, out var tensor) && tensor.DataType == OnnxDataType.Float
            ? tensor
            : throw new InvalidDataException($"{path} has no float initializer '{name}', which every '{MlpOptimizerExporter.Architecture}' file has: it was not written by this exporter");

    private static int EarlierTrajectories(OnnxModel model) =>
        int.TryParse(model.Metadata.GetValueOrDefault("l2l.meta.best_trajectory"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t : 0;

    private static double EarlierSeconds(OnnxModel model) =>
        double.TryParse(model.Metadata.GetValueOrDefault("l2l.meta.seconds"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 0;
}
