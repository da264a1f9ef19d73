using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Data;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// The general default's problems: linear, logistic and softmax regression compute the loss and gradient
/// a plain-C# reference does; the mixture is a deterministic function of its seed and uses every member;
/// held-out tables load real data.
/// </summary>
public sealed class GeneralFamilyTests
{
    public GeneralFamilyTests() => TorchModules.UseOneThread();

    [Theory]
    [InlineData(LinearModelLoss.Squared)]
    [InlineData(LinearModelLoss.Logistic)]
    [InlineData(LinearModelLoss.Softmax)]
    public void LinearModelLossAndGradientMatchAHandComputedReference(LinearModelLoss loss)
    {
        const int problems = 2, batch = 4, features = 3, classes = 3;
        using var family = LinearModelFamily.Synthetic(loss, new SyntheticDataConfig { Features = features, Classes = classes });
        var outputs = family.Outputs;
        var random = new Random(5);
        var x = Values(problems * batch * features, random, 2);
        var theta = Values(problems * family.Dimension, random, 1);
        var y = loss switch
        {
            LinearModelLoss.Squared => Values(problems * batch, random, 1),
            LinearModelLoss.Logistic => Enumerable.Range(0, problems * batch).Select(i => (float)(i % 2)).ToArray(),
            _ => Enumerable.Range(0, problems * batch).Select(i => (float)(i % classes)).ToArray(),
        };

        using var scope = NewDisposeScope();
        var thetaTensor = tensor(theta).view(problems, family.Dimension).requires_grad_();
        var targets = loss == LinearModelLoss.Softmax ? tensor(y).to_type(ScalarType.Int64) : tensor(y);
        var losses = family.MeanLoss(thetaTensor, tensor(x).view(problems, batch, features), targets);
        losses.sum().backward();
        var gradient = thetaTensor.grad!.data<float>().ToArray();

        for (var p = 0; p < problems; p++)
        {
            // Reference: z = x W + b; the loss's derivative in z is (prediction - target) / batch for all three.
            var expectedLoss = 0.0;
            var expectedGradient = new double[family.Dimension];
            for (var n = 0; n < batch; n++)
            {
                var z = new double[outputs];
                for (var k = 0; k < outputs; k++)
                {
                    z[k] = theta[p * family.Dimension + features * outputs + k];
                    for (var j = 0; j < features; j++) z[k] += x[(p * batch + n) * features + j] * theta[p * family.Dimension + j * outputs + k];
                }
                var target = y[p * batch + n];
                var dz = new double[outputs];
                switch (loss)
                {
                    case LinearModelLoss.Squared:
                        expectedLoss += 0.5 * (z[0] - target) * (z[0] - target);
                        dz[0] = z[0] - target;
                        break;
                    case LinearModelLoss.Logistic:
                        var probability = 1 / (1 + Math.Exp(-z[0]));
                        expectedLoss += -(target * Math.Log(probability) + (1 - target) * Math.Log(1 - probability));
                        dz[0] = probability - target;
                        break;
                    default:
                        var normaliser = z.Sum(Math.Exp);
                        expectedLoss += Math.Log(normaliser) - z[(int)target];
                        for (var k = 0; k < outputs; k++) dz[k] = Math.Exp(z[k]) / normaliser - (k == (int)target ? 1 : 0);
                        break;
                }
                for (var k = 0; k < outputs; k++)
                {
                    for (var j = 0; j < features; j++) expectedGradient[j * outputs + k] += dz[k] * x[(p * batch + n) * features + j] / batch;
                    expectedGradient[features * outputs + k] += dz[k] / batch;
                }
            }
            Assert.Equal(expectedLoss / batch, losses[p].item<float>(), 4);
            for (var i = 0; i < family.Dimension; i++)
                Assert.Equal(expectedGradient[i], gradient[p * family.Dimension + i], 4);
        }
    }

    [Fact]
    public void SyntheticProblemsHaveFeatureScalesOverDecadesAndStartNearTheirLossScale()
    {
        using var family = LinearModelFamily.Synthetic(LinearModelLoss.Logistic, new SyntheticDataConfig { Features = 20, ScaleDecades = 2, Samples = 64, BatchSize = 64 });
        using var generator = new Generator(3);
        using var problems = family.Sample(4, generator);
        using var scope = NewDisposeScope();
        var start = problems.Loss(problems.InitialParameters(), 0);
        // Tiny starting weights: every logistic loss starts near log 2, the scale of the other members.
        Assert.True(start.sub(Math.Log(2)).abs().max().item<float>() < 0.05f, $"starting losses {string.Join(", ", start.data<float>().ToArray())}");
        Assert.Equal(21, family.Dimension);
    }

    [Fact]
    public void TanhMlpAppliesTanhToItsHiddenLayer()
    {
        using var family = new MlpFamily(new ImageTensors(TinyImages.Random(10, 1, 2, 2, seed: 1)), new MlpConfig { HiddenSizes = [3], Activation = Activation.Tanh, InitStd = 0.5 });
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        using var problems = family.Sample(1, generator);
        var theta = problems.InitialParameters();
        var inputs = rand(new long[] { 1, 5, 4 }, generator: generator);
        var w1 = theta[0].narrow(0, 0, 12).view(4, 3);
        var b1 = theta[0].narrow(0, 12, 3);
        var w2 = theta[0].narrow(0, 15, 3 * family.Data.ClassCount).view(3, family.Data.ClassCount);
        var b2 = theta[0].narrow(0, 15 + 3 * family.Data.ClassCount, family.Data.ClassCount);
        var expected = inputs[0].matmul(w1).add(b1).tanh().matmul(w2).add(b2);
        Assert.True(expected.allclose(family.Logits(theta, inputs)[0], rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void MixtureIsDeterministicInItsSeedAndDrawsEveryMember()
    {
        using var mixture = new MixtureFamily("tiny", [
            LinearModelFamily.Synthetic(LinearModelLoss.Squared, new SyntheticDataConfig { Features = 2, Samples = 8, BatchSize = 4 }),
            LinearModelFamily.Synthetic(LinearModelLoss.Logistic, new SyntheticDataConfig { Features = 3, Samples = 8, BatchSize = 4 }),
            LinearModelFamily.Synthetic(LinearModelLoss.Softmax, new SyntheticDataConfig { Features = 4, Classes = 3, Samples = 8, BatchSize = 4 }),
        ]);
        Assert.Equal(15, mixture.Dimension);

        List<(int Dimension, float[] Start, float Loss)> Draws(ulong seed)
        {
            using var generator = new Generator(seed);
            var draws = new List<(int, float[], float)>();
            for (var i = 0; i < 30; i++)
            {
                using var scope = NewDisposeScope();
                using var problems = mixture.Sample(2, generator);
                var start = problems.InitialParameters();
                draws.Add((problems.Dimension, start.data<float>().ToArray(), problems.Loss(start, 3).sum().item<float>()));
            }
            return draws;
        }

        var first = Draws(7);
        var again = Draws(7);
        var other = Draws(8);
        Assert.Equal(first.Select(d => d.Dimension), again.Select(d => d.Dimension));
        Assert.All(first.Zip(again), pair => Assert.Equal(pair.First.Start, pair.Second.Start));
        Assert.Equal(first.Select(d => d.Loss), again.Select(d => d.Loss));
        Assert.NotEqual(first.Select(d => d.Loss), other.Select(d => d.Loss));
        // Dimensions 3, 4 and 15 identify the members: all three are drawn.
        Assert.Equal([3, 4, 15], first.Select(d => d.Dimension).Distinct().Order());
    }

    [Fact]
    public void MixtureSampleOfAtLeastOneProblemPerMemberCoversEveryMemberWithInertPadding()
    {
        using var mixture = new MixtureFamily("tiny", [
            LinearModelFamily.Synthetic(LinearModelLoss.Squared, new SyntheticDataConfig { Features = 2, Samples = 8, BatchSize = 4 }),
            LinearModelFamily.Synthetic(LinearModelLoss.Softmax, new SyntheticDataConfig { Features = 4, Classes = 3, Samples = 8, BatchSize = 4 }),
        ]);
        using var generator = new Generator(4);
        using var all = mixture.Sample(3, generator);
        Assert.Equal((3, 15), (all.ProblemCount, all.Dimension));
        using var scope = NewDisposeScope();
        var start = all.InitialParameters();
        // Problems 0 and 1 are the 3-parameter linear regressions, problem 2 the softmax regression.
        Assert.Equal(0f, start.narrow(1, 3, 12).narrow(0, 0, 2).abs().max().item<float>());
        var theta = start.clone().requires_grad_();
        var losses = all.Loss(theta, 2);
        losses.sum().backward();
        Assert.Equal(0f, theta.grad!.narrow(1, 3, 12).narrow(0, 0, 2).abs().max().item<float>());
        Assert.True(theta.grad!.narrow(1, 0, 3).abs().max().item<float>() > 0);
        var softmaxAtStart = losses[2].item<float>();
        Assert.Equal(Math.Log(3), softmaxAtStart, 1); // near-zero weights: log of the class count
    }

    [DataSetFact(DataSet.SklearnTables)]
    public void HeldOutTablesLoadRealStandardisedDataSplitFromTheTrainingRows()
    {
        var table = TabularDataset.BreastCancer();
        Assert.Equal((569, 30), (table.Count, table.FeatureCount));
        Assert.Equal(357, table.Targets.Count(t => t == 1)); // benign cases of the Wisconsin data
        var column = Enumerable.Range(0, table.Count).Select(i => (double)table.Features[i, 3]).ToArray();
        Assert.Equal(0, column.Average(), 4);
        Assert.Equal(1, Math.Sqrt(column.Average(v => v * v)), 3);
        Assert.Equal((442, 10), (TabularDataset.Diabetes().Count, TabularDataset.Diabetes().FeatureCount));

        var spec = new ProblemSpec { Kind = ProblemKind.BreastCancerLogistic };
        using var heldOut = spec.HeldOut();
        Assert.Equal(31, heldOut.Dimension);
        using var generator = new Generator(1);
        using var problems = heldOut.Sample(2, generator);
        using var scope = NewDisposeScope();
        // At zero parameters the logistic loss is log 2 on any rows; a fitted direction lowers it.
        Assert.Equal(Math.Log(2), problems.Loss(zeros(2, 31), 0)[0].item<float>(), 4);
        using var diabetes = new ProblemSpec { Kind = ProblemKind.DiabetesLinear }.HeldOut();
        Assert.Equal(11, diabetes.Dimension);
    }

    [Fact]
    public void MissingTableNamesTheFileAndTheFix()
    {
        using var temp = new TempDirectory();
        var error = Assert.Throws<DataSetNotFoundException>(() => TabularDataset.Diabetes(temp.Path));
        Assert.Contains("diabetes_data_raw.csv.gz", error.Message);
        Assert.Contains("python3-sklearn", error.Remedy);
    }

    private static float[] Values(int count, Random random, double scale) =>
        Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
}
