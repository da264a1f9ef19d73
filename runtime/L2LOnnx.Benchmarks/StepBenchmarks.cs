using BenchmarkDotNet.Attributes;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;

namespace L2LOnnx.Benchmarks;

/// <summary>
/// One optimizer step on N coordinates: the 2x20 LSTM optimizer (meta-trained on quadratics, embedded)
/// and the cheap MLP family (its default 7-16-16-2 shape, <c>mlp-optimizer.onnx</c>; the cost does not
/// depend on the weights) through ONNX Runtime and through the fused engine on 1 and 2 threads, and a
/// plain Adam step as the reference. Parameters and gradients are fixed random vectors; the state
/// advances every step.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private LearnedOptimizer? optimizer;
    private OptimizerState? state;
    private Adam? adam;
    private float[] parameters = Array.Empty<float>();
    private float[] gradients = Array.Empty<float>();

    /// <summary>Coordinates stepped.</summary>
    [Params(1_000, 10_000, 100_000, 1_000_000)]
    public int N { get; set; }

    /// <summary>Engine and threads.</summary>
    [ParamsSource(nameof(Setups))]
    public StepSetup Setup { get; set; } = new("Adam", 1);

    /// <summary>Adam once; the LSTM on each engine on 1 and 2 threads; the MLP on ONNX Runtime and fused, 2 threads, and fused on 1.</summary>
    public static IEnumerable<StepSetup> Setups =>
    [
        new("Adam", 1),
        new("OnnxRuntime", 1),
        new("OnnxRuntime", 2),
        new("Fused", 1),
        new("Fused", 2),
        new("OnnxRuntime", 2, "mlp-optimizer.onnx"),
        new("Fused", 1, "mlp-optimizer.onnx"),
        new("Fused", 2, "mlp-optimizer.onnx"),
    ];

    /// <summary>Loads the engine and draws the vectors.</summary>
    [GlobalSetup]
    public void GlobalSetup()
    {
        var random = new Random(42);
        parameters = Enumerable.Range(0, N).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        gradients = Enumerable.Range(0, N).Select(_ => (float)(random.NextDouble() - 0.5) * 0.1f).ToArray();
        if (Setup.Engine == "Adam")
        {
            adam = new Adam(N, learningRate: 0.01);
            return;
        }
        using var model = typeof(StepBenchmarks).Assembly.GetManifestResourceStream(Setup.Model)
            ?? throw new InvalidOperationException($"the embedded model {Setup.Model} is missing");
        optimizer = LearnedOptimizer.Load(model, new LearnedOptimizerOptions
        {
            Engine = Setup.Engine == "Fused" ? OptimizerEngine.Fused : OptimizerEngine.OnnxRuntime,
            IntraOpThreads = Setup.Threads,
        });
        state = optimizer.CreateState(N);
    }

    /// <summary>One step: parameters += update.</summary>
    [Benchmark]
    public void Step()
    {
        if (adam is not null) adam.Step(parameters, gradients);
        else optimizer!.Step(parameters, gradients, state!);
    }

    /// <summary>Frees native state and sessions.</summary>
    [GlobalCleanup]
    public void GlobalCleanup()
    {
        state?.Dispose();
        optimizer?.Dispose();
        adam?.Dispose();
    }
}

/// <summary>An engine, its thread count and the model, shown as e.g. <c>Fused x2</c> or <c>MLP Fused x2</c>.</summary>
/// <param name="Engine"><c>Adam</c>, <c>OnnxRuntime</c> or <c>Fused</c>.</param>
/// <param name="Threads">Threads per step.</param>
/// <param name="Model">The embedded model: <c>quadratic.onnx</c> (the 2x20 LSTM) or <c>mlp-optimizer.onnx</c>.</param>
public sealed record StepSetup(string Engine, int Threads, string Model = "quadratic.onnx")
{
    /// <inheritdoc />
    public override string ToString() => Engine == "Adam" ? "Adam" : $"{(Model == "quadratic.onnx" ? "" : "MLP ")}{Engine} x{Threads}";
}
