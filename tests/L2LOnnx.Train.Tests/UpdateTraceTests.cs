using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Inspection;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary><see cref="UpdateTrace"/> reports what the optimizer did: norms that add up, and the learned log step where the file has one.</summary>
public sealed class UpdateTraceTests
{
    public UpdateTraceTests() => TorchModules.UseOneThread();

    [Fact]
    public void TheTraceOfAStepAdaptingMlpFindsItsLogStepAtTheCeilingAndItsDriftMatchesARunByHand()
    {
        using var temp = new TempDirectory();
        var config = new MlpOptimizerConfig(CoordinateFeatureConfig.Default, [6], StepSize: 0.01, StepAdaptationRate: 0.2, StepAdaptationRange: 2, StepAdaptationCeiling: 0.5);
        random.manual_seed(3);
        using (var network = new MlpOptimizer(config))
        {
            // The warm start alone: Adam with hypergradient steps, which on a quadratic keeps most gradients' signs
            // for many steps, so the log step climbs to the ceiling.
            using (no_grad()) { network.Head.weight!.zero_(); network.Head.bias!.zero_(); }
            MlpOptimizerExporter.Save(network, temp.File("capped.onnx"), new ExportMetadata());
        }
        var task = new QuadraticTask(problems: 3, seed: 11);
        var rows = UpdateTrace.Run(temp.File("capped.onnx"), task, steps: 25, every: 10);

        Assert.Equal(new[] { 10, 20, 25 }, rows.Select(r => r.Step));
        var last = rows[^1];
        Assert.NotNull(last.LogStep);
        Assert.True(last.LogStep!.Mean <= 0.5 + 1e-6, $"mean log step {last.LogStep.Mean} above the ceiling");
        Assert.True(last.LogStep.AtCeiling > 0.5, $"only {last.LogStep.AtCeiling:P0} of the coordinates reached the ceiling");
        Assert.InRange(last.TopDriftShare, UpdateTrace.TopFraction - 1e-9, 1);

        // The same run by hand: the drift is the distance from the start.
        var n = task.ProblemCount * task.Dimension;
        var start = new float[n];
        var parameters = new float[n];
        task.Initialize(start);
        start.CopyTo(parameters, 0);
        var (losses, gradients) = (new float[task.ProblemCount], new float[n]);
        using var optimizer = L2LOnnx.Runtime.LearnedOptimizer.Load(temp.File("capped.onnx"));
        using var state = optimizer.CreateState(n);
        for (var t = 0; t < 25; t++)
        {
            task.Evaluate(parameters, t, losses, gradients);
            optimizer.Step(parameters, gradients, state);
        }
        var drift = Math.Sqrt(parameters.Zip(start).Sum(p => (double)(p.First - p.Second) * (p.First - p.Second)));
        Assert.Equal(drift, last.DriftNorm, 6);
        Assert.Equal(losses.Average(), last.MeanLoss, 6);
    }

    [Fact]
    public void AFileWithoutALearnedLogStepTracesWithoutOne()
    {
        using var temp = new TempDirectory();
        random.manual_seed(4);
        using (var network = new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1)))
            LstmOptimizerExporter.Save(network, temp.File("lstm.onnx"), new ExportMetadata());
        var rows = UpdateTrace.Run(temp.File("lstm.onnx"), new QuadraticTask(problems: 2, seed: 5), steps: 5, every: 5);
        Assert.Null(Assert.Single(rows).LogStep);
        Assert.True(rows[0].UpdateNorm > 0);
    }
}
