using System.Security.Cryptography;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Conformance;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;

namespace L2LOnnx.Train.Inspection;

/// <summary>
/// Writes a model's conformance vectors (expected values from ONNX Runtime, cross-checked by the
/// TorchSharp network imported from the file when it is of the LSTM family) and checks a model against
/// them on every engine of the runtime. What <c>l2l conformance write</c> and <c>check</c> run.
/// </summary>
public static class ModelConformance
{
    /// <summary>
    /// Records vectors for the model at <paramref name="modelPath"/> and writes them to
    /// <paramref name="vectorsPath"/> (atomically).
    /// </summary>
    /// <exception cref="ContractViolationException">The file is not a contract-v1 model.</exception>
    /// <exception cref="InvalidOperationException">ONNX Runtime and the imported TorchSharp network disagree beyond the tolerance; nothing is written.</exception>
    public static ConformanceVectors Write(string modelPath, string vectorsPath, ConformanceSettings? settings = null)
    {
        settings ??= new ConformanceSettings();
        var model = ReadModel(modelPath);
        using var runtime = LearnedOptimizer.Load(model, Options(OptimizerEngine.OnnxRuntime));
        var version = typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3);
        using var engine = new RuntimeConformanceEngine(runtime, $"{runtime.EngineDescription}, Microsoft.ML.OnnxRuntime {version}, L2LOnnx {LstmOptimizerExporter.ProducerVersion}");
        var vectors = ConformanceRecorder.Record(engine, runtime.Contract.States, model, RelativeName(modelPath, vectorsPath), Threshold(runtime.Contract), settings);
        vectors = vectors with { CrossCheck = CrossCheck(model, vectors) };
        if (vectors.CrossCheck is { LargestDifference: { } difference } && difference > vectors.Tolerance)
            throw new InvalidOperationException(
                $"ONNX Runtime and the TorchSharp network imported from {modelPath} disagree by {difference:E2} (tolerance {vectors.Tolerance:E0}); " +
                "the vectors would not describe the model, so none were written");
        ConformanceFile.Save(vectors, vectorsPath);
        return vectors;
    }

    /// <summary>
    /// Replays the vectors at <paramref name="vectorsPath"/> on every engine of the runtime (ONNX Runtime,
    /// and the fused CPU engine when it can run the model) and returns one report per engine. The model
    /// is <paramref name="modelPath"/>, or the file the vectors name (next to them).
    /// </summary>
    /// <exception cref="InvalidDataException">The model is not the file the vectors were recorded for.</exception>
    public static IReadOnlyList<ConformanceReport> Check(string vectorsPath, string? modelPath = null)
    {
        var vectors = ConformanceFile.Load(vectorsPath);
        modelPath ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(vectorsPath))!, vectors.Model);
        var model = ReadModel(modelPath);
        var hash = Convert.ToHexString(SHA256.HashData(model)).ToLowerInvariant();
        if (hash != vectors.ModelSha256)
            throw new InvalidDataException(
                $"{vectorsPath} was recorded for a model with SHA-256 {vectors.ModelSha256}, but {modelPath} has {hash}: " +
                "pass the model the vectors belong to, or record new vectors with 'l2l conformance write'");
        return new[] { OptimizerEngine.OnnxRuntime, OptimizerEngine.Fused }
            .Select(kind => Replay(vectors, model, kind))
            .ToArray();
    }

    /// <summary>The threshold <c>e^-p</c> for the model's preprocessing, or for the paper's p = 10 when it has none.</summary>
    public static float Threshold(OptimizerContract contract) =>
        GradientPreprocessing.Threshold(
            contract.Metadata.TryGetValue(LstmMetadataKeys.Preprocessing, out var text) && LstmMetadataKeys.TryParsePreprocessing(text, out var p) && p is { } value
                ? value
                : ConformanceGradients.DefaultP);

    private static ConformanceReport Replay(ConformanceVectors vectors, byte[] model, OptimizerEngine kind)
    {
        LearnedOptimizer runtime;
        try
        {
            runtime = LearnedOptimizer.Load(model, Options(kind));
        }
        catch (NotSupportedException e)
        {
            return ConformanceReport.Skipped(kind == OptimizerEngine.Fused ? "fused CPU engine" : kind.ToString(), e.Message, vectors.Tolerance);
        }
        using (runtime)
        using (var engine = new RuntimeConformanceEngine(runtime, runtime.EngineDescription))
            return ConformanceReplay.Run(vectors, engine);
    }

    // One thread: conformance is about values, and a check should not compete with the machine's other work.
    private static LearnedOptimizerOptions Options(OptimizerEngine engine) => new() { Engine = engine, IntraOpThreads = 1 };

    private static CrossCheck CrossCheck(byte[] model, ConformanceVectors vectors)
    {
        ImportedLstmOptimizer imported;
        try
        {
            imported = LstmOptimizerImporter.Import(model, verify: false);
        }
        catch (OnnxImportException e)
        {
            return new CrossCheck(null, null, $"the model does not import into TorchSharp: {e.Message}");
        }
        using (imported)
        using (var engine = new TorchSharpConformanceEngine(imported.Network))
        {
            var report = ConformanceReplay.Run(vectors, engine);
            return new CrossCheck(engine.Name, report.Difference, null);
        }
    }

    private static byte[] ReadModel(string path) =>
        File.Exists(path)
            ? File.ReadAllBytes(path)
            : throw new FileNotFoundException($"no model at '{Path.GetFullPath(path)}'", path);

    private static string RelativeName(string modelPath, string vectorsPath) =>
        Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(vectorsPath))!, Path.GetFullPath(modelPath)).Replace('\\', '/');
}
