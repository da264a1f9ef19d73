using System.Security.Cryptography;
using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Conformance;

/// <summary>Records a model's conformance vectors by running it on an engine (normally ONNX Runtime).</summary>
public static class ConformanceRecorder
{
    /// <summary>
    /// Runs <paramref name="settings"/>.Steps steps of <see cref="ConformanceGradients"/> on
    /// <paramref name="engine"/> from the all-zero state and records gradients, updates, and the full
    /// state after step 1, every <see cref="ConformanceSettings.StateEvery"/> steps and the last step.
    /// </summary>
    /// <param name="engine">What computes the expected values.</param>
    /// <param name="states">The model's states (input name, S) in input order.</param>
    /// <param name="model">The model file's bytes, for its hash.</param>
    /// <param name="modelName">The model's file name, as the vectors file refers to it.</param>
    /// <param name="threshold">The preprocessing threshold <c>e^-p</c> the gradients straddle.</param>
    /// <param name="settings">How many coordinates and steps, and the seed.</param>
    public static ConformanceVectors Record(IConformanceEngine engine, IReadOnlyList<StateSpec> states, byte[] model, string modelName, float threshold, ConformanceSettings settings)
    {
        settings.Validate();
        var gradients = new ConformanceGradients(threshold, settings.Seed);
        engine.Reset(settings.Coordinates);
        var steps = new List<ConformanceStep>();
        for (var step = 1; step <= settings.Steps; step++)
        {
            var grad = new float[settings.Coordinates];
            var update = new float[settings.Coordinates];
            gradients.Next(step, grad);
            engine.Step(grad, update);
            var recordState = step == 1 || step % settings.StateEvery == 0 || step == settings.Steps;
            var after = recordState ? states.ToDictionary(s => s.Name, s => engine.State(s.Name).ToArray(), StringComparer.Ordinal) : null;
            steps.Add(new ConformanceStep(grad, update, after));
        }
        return new ConformanceVectors
        {
            Model = modelName,
            ModelSha256 = Convert.ToHexString(SHA256.HashData(model)).ToLowerInvariant(),
            Producer = engine.Name,
            Coordinates = settings.Coordinates,
            Threshold = threshold,
            States = states.Select(s => new KeyValuePair<string, int>(s.Name, s.Width)).ToList(),
            Steps = steps,
        };
    }
}
