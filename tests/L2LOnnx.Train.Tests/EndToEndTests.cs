using L2LOnnx.Train.Onnx;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;

namespace L2LOnnx.Train.Tests;

/// <summary>The whole chain on the paper's quadratics: meta-train (TorchSharp), export (ONNX), run (runtime).</summary>
public sealed class EndToEndTests
{
    [Fact]
    public void ShortMetaTrainingLowersHeldOutMetaLossThroughTheRuntime()
    {
        torch.random.manual_seed(3);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(2, 20, 10.0, 0.1));
        using var temp = new TempDirectory();
        var untrainedPath = temp.File("untrained.onnx");
        var trainedPath = temp.File("trained.onnx");
        LstmOptimizerExporter.Save(network, untrainedPath, new ExportMetadata { TrainedOn = "nothing" });

        var result = new MetaTrainer(network, new QuadraticFamily(10), new MetaTrainingOptions
        {
            Trajectories = 12,
            ProblemsPerTrajectory = 16,
            ValidateEvery = 4,
            ValidationProblems = 32,
            Seed = 3,
        }).Train();
        LstmOptimizerExporter.Save(network, trainedPath, new ExportMetadata { TrainedOn = "quadratic-10d" });

        // Held out: drawn by a different generator (System.Random) than anything the trainer saw.
        var heldOut = new QuadraticTask(problems: 50, seed: 777);
        var untrained = HeldOutMetaLoss(untrainedPath, heldOut);
        var trained = HeldOutMetaLoss(trainedPath, heldOut);

        Assert.True(result.BestValidation < result.InitialValidation, $"validation {result.InitialValidation} -> {result.BestValidation}");
        Assert.True(trained < 0.5 * untrained, $"held-out meta-loss: untrained {untrained:0.0}, trained {trained:0.0}");
    }

    /// <summary>Mean over problems of the sum of losses over steps 1..100, run through the ONNX runtime.</summary>
    private static double HeldOutMetaLoss(string model, QuadraticTask task)
    {
        using var optimizer = LearnedOptimizer.Load(model);
        using var bound = new LearnedVectorOptimizer(optimizer, task.ProblemCount * task.Dimension);
        var curves = Evaluator.Run(task, bound, steps: 100);
        return Enumerable.Range(1, 100).Sum(curves.Mean);
    }
}
