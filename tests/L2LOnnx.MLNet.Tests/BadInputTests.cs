using L2LOnnx.MLNet;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet.Tests;

/// <summary>Each kind of bad input fails at Fit (or at schema checking) with a message that names the column or file.</summary>
public sealed class BadInputTests(OptimizerFiles optimizers) : IClassFixture<OptimizerFiles>
{
    private readonly MLContext ml = new(seed: 1);

    public sealed class TextRow
    {
        public string Features { get; set; } = "";

        public bool Label { get; set; }
    }

    public sealed class VariableRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    [DataSetFact(DataSet.Mnist)]
    public void MissingLabelColumn_NamedAtFitAndAtSchemaCheck()
    {
        var data = Small();
        var trainer = ml.BinaryClassification.Trainers.LearnedOptimizer(labelColumnName: "IsThree", optimizerPath: OptimizerFiles.Quadratic);

        var atFit = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        var atSchema = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(SchemaTests.Shape(data.Schema)));

        Assert.Contains("label column 'IsThree' not found", atFit.Message);
        Assert.Contains("'Features', 'Label'", atFit.Message);
        Assert.Contains("label column 'IsThree' not found", atSchema.Message);
    }

    [Fact]
    public void TextFeatureColumn_Named()
    {
        var data = ml.Data.LoadFromEnumerable([new TextRow { Features = "a", Label = true }]);
        var trainer = ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));

        Assert.Contains("feature column 'Features' has type String", error.Message);
        Assert.Contains("Concatenate", error.Message);
    }

    [Fact]
    public void VariableLengthFeatureVector_Named()
    {
        var data = ml.Data.LoadFromEnumerable([new VariableRow { Features = [1, 2], Label = true }]);
        var trainer = ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic);

        var atFit = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        var atSchema = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(SchemaTests.Shape(data.Schema)));

        Assert.Contains("feature column 'Features'", atFit.Message);
        Assert.Contains("known-size vector of Single", atFit.Message);
        Assert.Contains("feature column 'Features'", atSchema.Message);
    }

    [DataSetFact(DataSet.Mnist)]
    public void WronglyTypedLabels_NamedForEachTask()
    {
        var numeric = Rows.Load(ml, [new Rows.Numeric { Features = [1, 2], Label = 1 }], 2);
        var binary = Small();

        var notBoolean = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic).Fit(numeric));
        var notKey = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.MulticlassClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic).Fit(numeric));
        var notSingle = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Regression.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic).GetOutputSchema(SchemaTests.Shape(binary.Schema)));

        Assert.Contains("label column 'Label' has type Single, but binary classification needs a Boolean scalar", notBoolean.Message);
        Assert.Contains("label column 'Label' has type Single, but multiclass classification needs a key-typed scalar", notKey.Message);
        Assert.Contains("MapValueToKey", notKey.Message);
        Assert.Contains("label column 'Label'", notSingle.Message);
        Assert.Contains("regression needs a Single scalar", notSingle.Message);
    }

    [DataSetFact(DataSet.Mnist)]
    public void LabelOutsideTheKnownClasses_NamesColumnAndRow()
    {
        var digits = Rows.Digits(ml, 0, 200);
        // The key dictionary knows only "0".."8": every 9 becomes the missing key 0.
        var known = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 9).Select(d => new Rows.Digit { Label = d.ToString() }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyData: ml.Transforms.SelectColumns("Label").Fit(known).Transform(known))
            .Append(ml.MulticlassClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic));
        var firstNine = digits.GetColumn<string>("Label").ToList().IndexOf("9");

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Fit(digits));

        Assert.Contains($"label column 'Label' has a missing key (0) at row {firstNine} (0-based)", error.Message);
    }

    [Fact]
    public void NaNLabel_InRegression_NamesColumnAndRow()
    {
        var data = Rows.Load(ml, [new Rows.Numeric { Features = [1, 2], Label = 1 }, new Rows.Numeric { Features = [3, 4], Label = float.NaN }], 2);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Regression.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic).Fit(data));

        Assert.Contains("label column 'Label' is NaN at row 1 (0-based)", error.Message);
    }

    [Fact]
    public void NaNFeature_NamesColumnRowAndSlot()
    {
        var data = Rows.Load(ml, [new Rows.Binary { Features = [1, 2, 3], Label = true }, new Rows.Binary { Features = [1, float.NaN, 3], Label = false }], 3);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic).Fit(data));

        Assert.Contains("feature column 'Features' has NaN at row 1 (0-based), slot 1", error.Message);
        Assert.Contains("ReplaceMissingValues", error.Message);
    }

    [DataSetFact(DataSet.Mnist)]
    public void OptimizerFileThatIsNotOnnx_NamesTheFile()
    {
        var error = Assert.Throws<ContractViolationException>(() =>
            ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: optimizers.NotOnnx).Fit(Small()));

        Assert.Contains($"optimizer file '{optimizers.NotOnnx}'", error.Message);
    }

    [DataSetFact(DataSet.Mnist)]
    public void OnnxFileThatBreaksTheContract_NamesTheFileAndTheProblem()
    {
        // A valid ONNX model that is not an optimizer: a fitted scoring graph (input 'Features', no l2l.format).
        var model = ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic, numberOfEpochs: 1).Fit(Small());
        var scorer = optimizers.File("scorer.onnx");
        model.Model.SaveScoringModel(scorer);

        var error = Assert.Throws<ContractViolationException>(() =>
            ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: scorer).Fit(Small()));

        Assert.Contains($"optimizer file '{scorer}' breaks the learned-optimizer contract v1", error.Message);
        Assert.IsType<ContractViolationException>(error.InnerException);
    }

    [DataSetFact(DataSet.Mnist)]
    public void MissingOptimizerFile_NamesThePath()
    {
        var path = optimizers.File("no-such-optimizer.onnx");

        var error = Assert.Throws<FileNotFoundException>(() =>
            ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: path).Fit(Small()));

        Assert.Contains(path, error.Message);
    }

    [DataSetFact(DataSet.Mnist)]
    public void DefaultOptimizer_ResolvesToModelsGeneralOnnx_OrSaysWhereItLooked()
    {
        var candidates = DefaultLearnedOptimizer.Candidates();
        Assert.All(candidates, c => Assert.EndsWith(Path.Combine("models", "general.onnx"), c));
        if (candidates.Any(File.Exists))
        {
            Assert.Equal(candidates.First(File.Exists), DefaultLearnedOptimizer.Resolve());
            return;
        }
        var error = Assert.Throws<FileNotFoundException>(() =>
            ml.BinaryClassification.Trainers.LearnedOptimizer().Fit(Small()));
        Assert.Contains(Path.Combine("models", "general.onnx") + " was not found", error.Message);
        Assert.Contains(candidates[0], error.Message);
    }

    [Fact]
    public void ImpossibleOptions_FailWhenTheTrainerIsCreated()
    {
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.BinaryClassification.Trainers.LearnedOptimizer(new LearnedOptimizerBinaryTrainer.Options { BatchSize = 0 }));
        var rate = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Regression.Trainers.LearnedOptimizer(new LearnedOptimizerRegressionTrainer.Options { Baseline = BaselineKind.Sgd, LearningRate = -1 }));

        Assert.Equal("BatchSize", batch.ParamName);
        Assert.Equal("LearningRate", rate.ParamName);
    }

    [DataSetFact(DataSet.Mnist)]
    public void FeatureColumnNamedLikeAnOutput_IsRefusedBeforeTraining()
    {
        var data = ml.Transforms.CopyColumns("Score", "Features").Fit(Small()).Transform(Small());
        var trainer = ml.MulticlassClassification.Trainers.LearnedOptimizer(featureColumnName: "Score", optimizerPath: OptimizerFiles.Quadratic);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));

        Assert.Contains("feature column 'Score' would collide", error.Message);
    }

    [DataSetFact(DataSet.Mnist)]
    public void Divergence_FailsWithAMessageInsteadOfReturningGarbage()
    {
        var data = Rows.Load(ml, Enumerable.Range(0, 64).Select(i => new Rows.Numeric { Features = [i, -i], Label = i }), 2);
        var trainer = ml.Regression.Trainers.LearnedOptimizer(new LearnedOptimizerRegressionTrainer.Options
        {
            Baseline = BaselineKind.Sgd, LearningRate = 1e30, NumberOfEpochs = 5, BatchSize = 16,
        });

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data));

        Assert.Contains("training diverged at step", error.Message);
        Assert.Contains("SGD(lr=1e+30)", error.Message);
        Assert.Contains("Lower LearningRate", error.Message);
    }

    [Theory]
    [InlineData(-1f, "example-weight column 'Weight' is -1 at row 3 (0-based)")]
    [InlineData(float.NaN, "example-weight column 'Weight' is NaN at row 3 (0-based)")]
    [InlineData(0f, "example-weight column 'Weight' is 0 in every row")]
    public void BadExampleWeights_NamedAtFit(float bad, string expected)
    {
        var data = Rows.Load(ml, Enumerable.Range(0, 8).Select(i => new Synthetic.Weighted
        {
            Features = [i, 1, 0, 0], Label = i % 2 == 0, Weight = bad == 0 ? 0 : i == 3 ? bad : 1,
        }), 4);
        var trainer = ml.BinaryClassification.Trainers.LearnedOptimizer(exampleWeightColumnName: "Weight", optimizerPath: OptimizerFiles.Quadratic);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ExampleWeightColumn_MissingOrNotSingle_NamedAtFitAndAtSchemaCheck()
    {
        var data = Synthetic.Binary(ml, 40, seed: 1);
        var missing = ml.BinaryClassification.Trainers.LearnedOptimizer(exampleWeightColumnName: "Weight", optimizerPath: OptimizerFiles.Quadratic);
        var boolean = ml.BinaryClassification.Trainers.LearnedOptimizer(exampleWeightColumnName: "Flag", optimizerPath: OptimizerFiles.Quadratic);
        var flagged = ml.Transforms.CopyColumns("Flag", "Label").Fit(data).Transform(data);

        Assert.Contains("example-weight column 'Weight' not found", Assert.Throws<ArgumentOutOfRangeException>(() => missing.Fit(data)).Message);
        Assert.Contains("example-weight column 'Weight' not found",
            Assert.Throws<ArgumentOutOfRangeException>(() => missing.GetOutputSchema(SchemaTests.Shape(data.Schema))).Message);
        Assert.Contains("example-weight column 'Flag' has type Boolean, but the trainer needs a Single scalar",
            Assert.Throws<ArgumentOutOfRangeException>(() => boolean.Fit(flagged)).Message);
        Assert.Throws<ArgumentException>(() =>
            ml.BinaryClassification.Trainers.LearnedOptimizer(exampleWeightColumnName: "Label", optimizerPath: OptimizerFiles.Quadratic));
    }

    private IDataView Small() => Rows.ThreeVersusFive(ml, 0, 40);
}
