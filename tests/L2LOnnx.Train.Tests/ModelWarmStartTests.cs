using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// <see cref="ModelWarmStart"/>: meta-training continues from an exported model file, with the file's
/// exact weights, and refuses a run whose settings would compute something else, or a damaged file.
/// </summary>
public sealed class ModelWarmStartTests
{
    public ModelWarmStartTests() => TorchModules.UseOneThread();

    private static readonly MlpOptimizerConfig Mlp = new(CoordinateFeatureConfig.Default, [6, 6], StepSize: 0.02, StepAdaptationRate: 0.2, StepAdaptationRange: 2);

    private static MetaTrainingOptions Options(string checkpoint) => new()
    {
        Trajectories = 1,
        ProblemsPerTrajectory = 4,
        TrajectoryLength = 8,
        UnrollLength = 4,
        MetaLearningRate = 0.01,
        ValidateEvery = 1,
        ValidationProblems = 8,
        CheckpointPath = checkpoint,
        Seed = 3,
    };

    [Fact]
    public void AnMlpModelFileStartsTheRunFromItsWeights()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        TorchSharp.torch.random.manual_seed(5);
        using var source = GroupedOptimizer.Shared(new MlpOptimizer(Mlp));
        // On return the network holds its best weights, the ones exported, which scored BestValidation.
        var scoredAsExported = new MetaTrainer(source, family, Options(temp.File("a.ckpt"))).Train().BestValidation;
        MlpOptimizerExporter.Save((MlpOptimizer)source.Networks[0].Network, temp.File("source.onnx"), new ExportMetadata { TrainedOn = "quadratic-6d" });

        var start = WarmStart.FromFile(temp.File("source.onnx"));
        TorchSharp.torch.random.manual_seed(99);
        using var other = GroupedOptimizer.Shared(new MlpOptimizer(Mlp));
        var warmed = new MetaTrainer(other, family, Options(temp.File("b.ckpt")) with { WarmStart = start }).Train();

        Assert.True(start.IsSingleNetwork);
        Assert.Equal(scoredAsExported, warmed.InitialValidation, 10);
    }

    [Fact]
    public void AnMlpModelFileRefusesARunWithOtherOptimizerSettings()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        using (var source = new MlpOptimizer(Mlp))
            MlpOptimizerExporter.Save(source, temp.File("source.onnx"), new ExportMetadata());
        var start = WarmStart.FromFile(temp.File("source.onnx"));

        // Same shape, another step size: the weights fit, the network would compute something else.
        using var other = GroupedOptimizer.Shared(new MlpOptimizer(Mlp with { StepSize = 0.01 }));
        var error = Assert.Throws<InvalidDataException>(() =>
            new MetaTrainer(other, family, Options(temp.File("b.ckpt")) with { WarmStart = start }).Train());

        Assert.Contains("cannot warm-start from source.onnx", error.Message);
        Assert.Contains("update 0.01 x", error.Message);
        Assert.Contains("update 0.02 x", error.Message);
        Assert.False(File.Exists(temp.File("b.ckpt")), "a refused warm start wrote a checkpoint");
    }

    [Fact]
    public void AnMlpModelFileMayBeContinuedUnderALowerCeilingOfTheLearnedStep()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        TorchSharp.torch.random.manual_seed(5);
        using (var source = new MlpOptimizer(Mlp))
            MlpOptimizerExporter.Save(source, temp.File("source.onnx"), new ExportMetadata());
        var start = WarmStart.FromFile(temp.File("source.onnx"));

        // The ceiling is the one setting that may change: the network reads l / range either way.
        TorchSharp.torch.random.manual_seed(99);
        using var capped = GroupedOptimizer.Shared(new MlpOptimizer(Mlp with { StepAdaptationCeiling = 0.5 }));
        var result = new MetaTrainer(capped, family, Options(temp.File("b.ckpt")) with { WarmStart = start }).Train();
        Assert.True(double.IsFinite(result.InitialValidation));
        var exported = temp.File("capped.onnx");
        MlpOptimizerExporter.Save((MlpOptimizer)capped.Networks[0].Network, exported, new ExportMetadata());
        Assert.Contains("within -2 .. 0.5", L2LOnnx.Runtime.Onnx.OnnxModelReader.Read(File.ReadAllBytes(exported)).Graph.DocString);

        // ... and a file with a ceiling continues under the run's ceiling too, but not under another range.
        var back = WarmStart.FromFile(exported);
        TorchSharp.torch.random.manual_seed(99);
        using var uncapped = GroupedOptimizer.Shared(new MlpOptimizer(Mlp));
        new MetaTrainer(uncapped, family, Options(temp.File("c.ckpt")) with { WarmStart = back }).Train();
        using var wider = GroupedOptimizer.Shared(new MlpOptimizer(Mlp with { StepAdaptationRange = 3 }));
        Assert.Throws<InvalidDataException>(() => new MetaTrainer(wider, family, Options(temp.File("d.ckpt")) with { WarmStart = back }).Train());
    }

    [Fact]
    public void AnLstmModelFileStartsTheRunFromItsWeights()
    {
        using var temp = new TempDirectory();
        using var family = new QuadraticFamily(6);
        var config = new LstmOptimizerConfig(2, 6, 10.0, 0.1);
        TorchSharp.torch.random.manual_seed(5);
        using var source = GroupedOptimizer.Shared(new LstmOptimizer(config));
        var scoredAsExported = new MetaTrainer(source, family, Options(temp.File("a.ckpt"))).Train().BestValidation;
        LstmOptimizerExporter.Save((LstmOptimizer)source.Networks[0].Network, temp.File("source.onnx"), new ExportMetadata());

        var start = WarmStart.FromFile(temp.File("source.onnx"));
        TorchSharp.torch.random.manual_seed(99);
        using var other = GroupedOptimizer.Shared(new LstmOptimizer(config));
        var warmed = new MetaTrainer(other, family, Options(temp.File("b.ckpt")) with { WarmStart = start }).Train();
        Assert.Equal(scoredAsExported, warmed.InitialValidation, 10);

        using var larger = GroupedOptimizer.Shared(new LstmOptimizer(config with { HiddenSize = 8 }));
        var error = Assert.Throws<InvalidDataException>(() =>
            new MetaTrainer(larger, family, Options(temp.File("c.ckpt")) with { WarmStart = start }).Train());
        Assert.Contains("same optimizer family and shape", error.Message);
    }

    [Fact]
    public void ADamagedOrForeignFileIsRefusedWithTheReason()
    {
        using var temp = new TempDirectory();
        using (var source = new MlpOptimizer(Mlp))
            MlpOptimizerExporter.Save(source, temp.File("source.onnx"), new ExportMetadata());
        var bytes = File.ReadAllBytes(temp.File("source.onnx"));
        // The last weights are the head's and skip's floats, stored raw: change one byte of the skip's first value's sign.
        var edited = (byte[])bytes.Clone();
        var skip = IndexOfFloat(edited, -1f);
        edited[skip + 3] ^= 0x80;
        File.WriteAllBytes(temp.File("edited.onnx"), edited);
        File.WriteAllText(temp.File("text.onnx"), "not a model");

        Assert.Contains("do not match 'l2l.weights_sha256'", Assert.Throws<InvalidDataException>(() => WarmStart.FromFile(temp.File("edited.onnx"))).Message);
        Assert.Contains("is not a readable ONNX model", Assert.Throws<InvalidDataException>(() => WarmStart.FromFile(temp.File("text.onnx"))).Message);
        Assert.Throws<FileNotFoundException>(() => WarmStart.FromFile(temp.File("missing.onnx")));
    }

    private static int IndexOfFloat(byte[] bytes, float value)
    {
        var pattern = BitConverter.GetBytes(value);
        for (var i = 0; i + 4 <= bytes.Length; i++)
            if (bytes.AsSpan(i, 4).SequenceEqual(pattern)) return i;
        throw new InvalidOperationException($"no {value} in the file");
    }
}
