using L2LOnnx.Train.Onnx;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Data;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// The paper's CIFAR-10 setup end to end on small files in the CIFAR-10 binary format (real CIFAR-10
/// cannot be downloaded here): a convnet optimized by one LSTM for its convolutional parameters and
/// another for its fully-connected ones, meta-trained, exported as two ONNX files and evaluated through
/// the runtime on the held-out batch.
/// </summary>
public sealed class Cifar10Tests
{
    public Cifar10Tests() => TorchModules.UseOneThread();

    [Fact]
    public void PerGroupOptimizersMetaTrainOnCifarFilesAndRunThroughOnnx()
    {
        using var temp = new TempDirectory();
        for (var batch = 1; batch <= 5; batch++) Cifar10BinaryWriter.Write(temp.File($"data_batch_{batch}.bin"), Images(40, seed: batch));
        Cifar10BinaryWriter.Write(temp.File("test_batch.bin"), Images(40, seed: 99));
        var spec = new ProblemSpec
        {
            Kind = ProblemKind.Cifar10,
            Cifar10Directory = temp.Path,
            ConvNet = new ConvNetConfig { Channels = [4, 4, 4], HiddenUnits = 8, BatchSize = 8 },
        };
        using var family = spec.Training();
        Assert.Equal(["conv", "fc"], family.Groups.Select(g => g.Name));
        using var optimizer = TorchModules.Seeded(GroupedOptimizer.PerGroup(family.Groups, new LstmOptimizerConfig(1, 6, 10.0, 0.1)), 6, seed: 2);

        var result = new MetaTrainer(optimizer, family, new MetaTrainingOptions
        {
            Trajectories = 12, ProblemsPerTrajectory = 2, TrajectoryLength = 10, UnrollLength = 5,
            MetaLearningRate = 0.03, ValidateEvery = 4, ValidationProblems = 3, Seed = 4,
        }).Train();
        Assert.True(result.BestValidation < result.InitialValidation,
            $"validation meta-loss {result.InitialValidation:0.000} -> {result.BestValidation:0.000}: no improvement");

        using var heldOutFamily = spec.HeldOut();
        using var task = OptimizeeTask.Sample(heldOutFamily, count: 3, seed: 7);
        var loaded = optimizer.Networks.Select(n =>
        {
            var path = temp.File($"cifar.{n.Group}.onnx");
            OptimizerExporter.Save(n.Network, path, new ExportMetadata { TrainedOn = family.Name });
            return LearnedOptimizer.Load(path);
        }).ToArray();
        try
        {
            var bound = task.Groups.Select((g, i) => (IVectorOptimizer)new LearnedVectorOptimizer(loaded[i], task.ProblemCount * g.Length)).ToArray();
            using var learned = new GroupedVectorOptimizer(task.Groups, task.ProblemCount, bound, "learned conv + fc");
            var curves = Evaluator.Run(task, learned, steps: 10);
            Assert.True(curves.Mean(10) < curves.Mean(0), $"held-out loss {curves.Mean(0):0.000} -> {curves.Mean(10):0.000}: the learned optimizers did not lower it");
        }
        finally
        {
            foreach (var onnx in loaded) onnx.Dispose();
        }
    }

    /// <summary>32x32 colour images whose class shows in their mean colour, so a convnet can learn it in a few steps.</summary>
    private static ImageDataset Images(int count, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[count * 3 * 32 * 32];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = (byte)random.Next(10);
            for (var c = 0; c < 3; c++)
            {
                var mean = ((labels[i] + c * 3) % 10) / 10f;
                for (var p = 0; p < 1024; p++)
                    pixels[(i * 3 + c) * 1024 + p] = Math.Clamp(mean + 0.2f * ((float)random.NextDouble() - 0.5f), 0f, 1f);
            }
        }
        return new ImageDataset("cifar-like", 32, 32, 3, pixels, labels, 10);
    }
}
