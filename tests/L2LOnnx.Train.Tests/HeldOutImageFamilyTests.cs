using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Problems;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// The general default's held-out families on Fashion-MNIST images, a 784-32-10 ReLU MLP and a small
/// convnet: their shapes, data splits and initialisation, that SGD trains them, and that they are
/// held-out families (named by the CLI and the report, never mixture members).
/// </summary>
public sealed class HeldOutImageFamilyTests
{
    public HeldOutImageFamilyTests() => TorchModules.UseOneThread();

    [DataSetFact(DataSet.FashionMnist)]
    public void ReluMlpIsA784By32By10ReluMlpOnFashionMnistInitialisedAsTheMixturesMlps()
    {
        var spec = new ProblemSpec { Kind = ProblemKind.FashionMnistReluMlp };
        using var training = Assert.IsType<MlpFamily>(spec.Training());
        using var heldOut = Assert.IsType<MlpFamily>(spec.HeldOut());

        Assert.Equal(784 * 32 + 32 + 32 * 10 + 10, training.Dimension);
        Assert.Equal([32], training.Config.HiddenSizes);
        Assert.Equal((Activation.Relu, GeneralMixture.HiddenMlpInitStd), (training.Config.Activation, training.Config.InitStd));
        Assert.Equal((60_000, 10_000), (training.SampleCount, heldOut.SampleCount));
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        using var problems = training.Sample(2, generator);
        var std = problems.InitialParameters().std().item<float>();
        Assert.InRange(std, 0.95 * GeneralMixture.HiddenMlpInitStd, 1.05 * GeneralMixture.HiddenMlpInitStd);
    }

    [DataSetFact(DataSet.FashionMnist)]
    public void ConvNetTakesOneChannelImagesPooledTo14By14ThroughTwoSmallConvolutionalLayersWithAFixedMinibatch()
    {
        var spec = new ProblemSpec { Kind = ProblemKind.FashionMnistConvNet };
        using var training = Assert.IsType<ConvNetFamily>(spec.Training());
        using var heldOut = Assert.IsType<ConvNetFamily>(spec.HeldOut());

        // 28x28x1 average-pooled to 14x14 -> conv 4 -> pool 7x7 -> conv 8 -> pool 3x3 -> FC 32 -> 10; every conv layer also has a batch-norm scale and shift per channel.
        var conv = (1 * 4 * 9 + 2 * 4) + (4 * 8 * 9 + 2 * 8);
        var fc = (8 * 3 * 3 * 32 + 32) + (32 * 10 + 10);
        Assert.Equal([new ParameterGroup(ConvNetFamily.ConvGroup, 0, conv), new ParameterGroup(ConvNetFamily.FcGroup, conv, fc)], training.Groups);
        Assert.Equal(3_014, training.Dimension);
        Assert.Equal((60_000, 10_000), (training.SampleCount, heldOut.SampleCount));
        // The spec's own ConvNet (CIFAR-10's, minibatch 128) does not apply: the held-out family is fixed.
        Assert.Equal(ProblemSpec.FashionMnistConvNetShape, training.Config);
        Assert.Equal(64, training.Config.BatchSize);
    }

    [DataSetFact(DataSet.FashionMnist)]
    public void SgdLowersTheReluMlpsLossOnAMinibatchItDidNotStepOn() =>
        AssertSgdLowersLoss(new ProblemSpec { Kind = ProblemKind.FashionMnistReluMlp }, learningRate: 0.1);

    [DataSetFact(DataSet.FashionMnist)]
    public void SgdLowersTheConvNetsLossOnAMinibatchItDidNotStepOn() =>
        AssertSgdLowersLoss(new ProblemSpec { Kind = ProblemKind.FashionMnistConvNet }, learningRate: 0.1);

    [DataSetFact(DataSet.FashionMnist)]
    public void TheConvNetsTestSplitScoreImprovesUnderSgd()
    {
        using var training = new ProblemSpec { Kind = ProblemKind.FashionMnistConvNet }.Training();
        using var test = Assert.IsAssignableFrom<IFixedDataFamily>(new ProblemSpec { Kind = ProblemKind.FashionMnistConvNet }.HeldOut());
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        using var problems = training.Sample(1, generator);
        var start = problems.InitialParameters();
        var (startLoss, startAccuracy) = test.Score(start);
        var (loss, accuracy) = test.Score(Sgd(problems, start, steps: 30, learningRate: 0.1));

        Assert.True(loss[0] < startLoss[0], $"test loss {startLoss[0]} -> {loss[0]}");
        Assert.True(accuracy![0] > startAccuracy![0], $"test accuracy {startAccuracy[0]} -> {accuracy[0]}");
    }

    [Fact]
    public void ConvNetScoreIsEachProblemsLossAndAccuracyOverTheWholeDataSet()
    {
        using var family = new ConvNetFamily(new ImageTensors(TinyImages.Random(30, 1, 8, 3, seed: 9)), new ConvNetConfig { Channels = [2, 3], HiddenUnits = 4, BatchSize = 5 });
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        using var problems = family.Sample(2, generator);
        var theta = problems.InitialParameters();
        using var images = new ImageTensors(TinyImages.Random(30, 1, 8, 3, seed: 9));

        var (loss, accuracy) = family.Score(theta);

        for (var p = 0; p < 2; p++)
        {
            // Fewer images than a scoring chunk: batch norm sees all 30 at once.
            var logits = family.Logits(theta.narrow(0, p, 1), images.Pixels.view(1, 30, 1, 8, 8)).squeeze(0);
            Assert.Equal(nn.functional.cross_entropy(logits, images.Labels).item<float>(), loss[p], 4);
            Assert.Equal(logits.argmax(1).eq(images.Labels).sum().item<long>() / 30.0, accuracy![p], 6);
        }
    }

    [Fact]
    public void OneLearnedOptimizerFileStepsEveryConvNetParameterAsOneSharedNetwork()
    {
        // As l2l results runs general.onnx on the Fashion-MNIST convnet: one file, no group=file entries.
        using var family = new ConvNetFamily(new ImageTensors(TinyImages.Random(20, 1, 28, 10, seed: 3)), ProblemSpec.FashionMnistConvNetShape with { BatchSize = 4 });
        using var task = OptimizeeTask.Sample(family, 2, seed: 5);
        using var optimizer = LearnedOptimizers.Bind([RepositoryModels.PathOf("general.onnx")], task);
        Assert.IsNotType<GroupedVectorOptimizer>(optimizer);
        Assert.Equal(2 * family.Dimension, optimizer.Length);

        var parameters = new float[optimizer.Length];
        var gradients = new float[optimizer.Length];
        task.Initialize(parameters);
        var start = parameters.ToArray();
        task.Evaluate(parameters, 0, new float[2], gradients);
        optimizer.Step(parameters, gradients);

        // Both groups of both problems move: the network is bound to every coordinate.
        foreach (var group in family.Groups)
            for (var p = 0; p < 2; p++)
            {
                var offset = p * family.Dimension + group.Start;
                Assert.True(Enumerable.Range(offset, group.Length).Any(i => parameters[i] != start[i]), $"problem {p}, group {group.Name} did not move");
            }
    }

    [Fact]
    public void EveryProblemKindHasOneNameThatParsesBackToIt()
    {
        var kinds = ProblemSpec.Names.Select(ProblemSpec.ParseKind).ToArray();

        Assert.Equal(Enum.GetValues<ProblemKind>().Order(), kinds.Order());
        Assert.Equal(ProblemKind.FashionMnistReluMlp, ProblemSpec.ParseKind("fashion-mnist-relu-mlp"));
        Assert.Equal(ProblemKind.FashionMnistConvNet, ProblemSpec.ParseKind("fashion-mnist-convnet"));
        var error = Assert.Throws<ArgumentException>(() => ProblemSpec.ParseKind("fashion-mnist-cnn"));
        Assert.Contains("fashion-mnist-convnet", error.Message);
    }

    [Fact]
    public void TheReportEvaluatesTheGeneralDefaultOnBothNewHeldOutFamilies()
    {
        var slugs = ResultsReport.Entries().Where(e => e.Model == "general.onnx").Select(e => e.Create(100)).ToDictionary(e => e.Slug);

        Assert.Equal(ProblemKind.FashionMnistReluMlp, slugs["general-fashion-mnist-relu-mlp"].Problem.Kind);
        Assert.Equal(ProblemKind.FashionMnistConvNet, slugs["general-fashion-mnist-convnet"].Problem.Kind);
        Assert.All(slugs.Values, e => Assert.Equal(HeldOutDefinition.FreshSeeds, e.Definition));
        Assert.Equal(GeneralMixture.HeldOutNames.Count, slugs.Count);
    }

    [DataSetFact(DataSet.Mnist, DataSet.FashionMnist, DataSet.SklearnTables)]
    public void NoHeldOutFamilyIsAMixtureMember()
    {
        using var mixture = GeneralMixture.Create(heldOut: false);
        var members = mixture.Members.Select(m => m.Name).ToHashSet();

        foreach (var name in GeneralMixture.HeldOutNames)
        {
            var kind = ProblemSpec.ParseKind(name);
            Assert.NotEqual(ProblemKind.General, kind);
            // A family's name is its data set and its shape (e.g. fashion-mnist-train-mlp-32-relu), so a distinct name is a distinct family.
            using var family = new ProblemSpec { Kind = kind }.Training();
            Assert.DoesNotContain(family.Name, members);
        }
    }

    private static void AssertSgdLowersLoss(ProblemSpec spec, double learningRate)
    {
        using var family = spec.Training();
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        using var problems = family.Sample(3, generator);
        var start = problems.InitialParameters();
        var before = problems.Loss(start, 0).data<float>().ToArray();

        // SGD steps on minibatches 1..20; the loss is judged on minibatch 0, which it never stepped on.
        var after = problems.Loss(Sgd(problems, start, steps: 20, learningRate), 0).data<float>().ToArray();

        for (var p = 0; p < 3; p++)
            Assert.True(after[p] < 0.9 * before[p], $"{family.Name}, problem {p}: minibatch-0 loss {before[p]} -> {after[p]} after 20 SGD steps");
    }

    private static Tensor Sgd(IOptimizee problems, Tensor start, int steps, double learningRate)
    {
        var theta = start.clone();
        for (var step = 1; step <= steps; step++)
        {
            using var inner = NewDisposeScope();
            var leaf = theta.detach().requires_grad_(true);
            var gradient = autograd.grad([problems.Loss(leaf, step).sum()], [leaf])[0];
            theta.sub_(gradient.mul(learningRate));
        }
        return theta;
    }
}
