using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;

namespace L2LOnnx.MLNet;

/// <summary>
/// Where a trainer's updates come from: a loaded learned optimizer (checked against the contract before
/// any data is read), or a hand-designed baseline.
/// </summary>
internal sealed class OptimizerSource : IDisposable
{
    private readonly LearnedOptimizer? learned;
    private readonly BaselineKind kind;
    private readonly double learningRate;

    private OptimizerSource(LearnedOptimizer? learned, BaselineKind kind, double learningRate, string name, string divergenceHint)
    {
        this.learned = learned;
        this.kind = kind;
        this.learningRate = learningRate;
        Name = name;
        DivergenceHint = divergenceHint;
    }

    /// <summary>E.g. <c>learned: general.onnx</c> or <c>Adam(lr=0.001)</c>.</summary>
    public string Name { get; }

    /// <summary>What to try when training with this optimizer diverges.</summary>
    public string DivergenceHint { get; }

    /// <exception cref="FileNotFoundException">The optimizer file (or the default's override) does not exist.</exception>
    /// <exception cref="ContractViolationException">The file is not a contract-v1 optimizer; the message names it.</exception>
    public static OptimizerSource Open(LearnedOptimizerTrainerOptions options)
    {
        if (options.Baseline is { } kind)
        {
            var lr = options.LearningRate ?? LearnedOptimizerTrainerOptions.DefaultLearningRate(kind);
            using var probe = Baseline.Create(kind, lr, 1);
            return new OptimizerSource(null, kind, lr, probe.Name, "Lower LearningRate, or normalize the features (e.g. mlContext.Transforms.NormalizeMinMax).");
        }

        var path = options.OptimizerPath is { } given ? Path.GetFullPath(given) : DefaultLearnedOptimizer.Source;
        var runtimeOptions = new LearnedOptimizerOptions { IntraOpThreads = options.NumberOfThreads };
        LearnedOptimizer optimizer;
        try
        {
            optimizer = options.OptimizerPath is null ? DefaultLearnedOptimizer.Load(runtimeOptions) : LearnedOptimizer.Load(path, runtimeOptions);
        }
        catch (ContractViolationException e)
        {
            throw new ContractViolationException($"optimizer file '{path}' breaks the learned-optimizer contract v1: {e.Message}", e);
        }
        catch (Exception e) when (e is not FileNotFoundException and not OutOfMemoryException)
        {
            throw new ContractViolationException($"optimizer file '{path}' could not be loaded as a contract-v1 ONNX optimizer: {e.Message}", e);
        }

        var trainedOn = optimizer.Contract.Metadata.TryGetValue("l2l.trained_on", out var family) ? family : "unknown problems";
        var hint = $"This learned optimizer was meta-trained on {trainedOn} and may not suit this problem: normalize the features " +
                   "(e.g. mlContext.Transforms.NormalizeMinMax), try another optimizer file, or set Baseline to compare with SGD or Adam.";
        return new OptimizerSource(optimizer, default, 0, $"learned: {Path.GetFileName(path)}", hint);
    }

    /// <summary>A fresh optimizer with fresh state for <paramref name="length"/> parameters.</summary>
    public IVectorOptimizer Create(int length) =>
        learned is null ? Baseline.Create(kind, learningRate, length) : new LearnedVectorOptimizer(learned, length, Name);

    public void Dispose() => learned?.Dispose();
}
