using System.Reflection;
using L2LOnnx.Runtime.Baselines;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace L2LOnnx.MLNet.Tests;

/// <summary>
/// The trainers honour ML.NET's public trainer contracts the way ML.NET's own do: permutation feature
/// importance, cross-validation, typed models after save and load, Options defaults, the multiclass label
/// type, example weights and MLContext.Log.
/// </summary>
public sealed class TrainerContractTests
{
    private readonly MLContext ml = new(seed: 1);

    [Fact]
    public void Trainers_AreTrainerEstimators_WhoseTransformerIsASingleFeaturePredictionTransformer()
    {
        ITrainerEstimator<LearnedOptimizerTransformer, LearnedModelParameters> trainer =
            ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 1);
        Assert.True(trainer.Info.NeedNormalization);

        ISingleFeaturePredictionTransformer<LearnedModelParameters> model = trainer.Fit(Synthetic.Binary(ml, 200, seed: 1));

        Assert.Equal("Features", model.FeatureColumnName);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 4), model.FeatureColumnType);
        Assert.Equal(4, model.Model.OutputWeights.Count);
    }

    [Fact]
    public void PermutationFeatureImportance_Binary_SinglesOutTheOnlyInformativeFeature()
    {
        var data = Synthetic.Binary(ml, 600, seed: 2);
        var model = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 5, batchSize: 32))
            .Fit(data);

        var importance = ml.BinaryClassification.PermutationFeatureImportance(model.LastTransformer, model.Transform(data), permutationCount: 3);

        var aucDrops = importance.Select(m => -m.AreaUnderRocCurve.Mean).ToArray();
        Assert.Equal(4, aucDrops.Length);
        Assert.True(aucDrops[0] > 0.2, $"permuting the informative feature lowers AUC by only {aucDrops[0]:F3}");
        Assert.All(aucDrops.Skip(1), drop => Assert.True(Math.Abs(drop) < 0.05, $"a noise feature moves AUC by {drop:F3}"));
    }

    [Fact]
    public void PermutationFeatureImportance_RegressionAndMulticlass_SingleOutTheOnlyInformativeFeature()
    {
        var numeric = Synthetic.Regression(ml, 400, seed: 3);
        var regression = ml.Regression.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 20, batchSize: 32).Fit(numeric);
        var r2Drops = ml.Regression.PermutationFeatureImportance(regression, regression.Transform(numeric)).Select(m => -m.RSquared.Mean).ToArray();
        Assert.True(r2Drops[0] > 1, $"permuting x0 lowers R² by only {r2Drops[0]:F3}");
        Assert.All(r2Drops.Skip(1), drop => Assert.True(Math.Abs(drop) < 0.05, $"a noise feature moves R² by {drop:F3}"));

        var classes = Synthetic.ThreeClasses(ml, 600, seed: 4);
        var multiclass = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 20, batchSize: 32))
            .Fit(classes);
        var accuracyDrops = ml.MulticlassClassification.PermutationFeatureImportance(multiclass.LastTransformer, multiclass.Transform(classes))
            .Select(m => -m.MicroAccuracy.Mean).ToArray();
        Assert.True(accuracyDrops[0] > 0.3, $"permuting x0 lowers accuracy by only {accuracyDrops[0]:F3}");
        Assert.All(accuracyDrops.Skip(1), drop => Assert.True(Math.Abs(drop) < 0.05, $"a noise feature moves accuracy by {drop:F3}"));
    }

    [DataSetFact(DataSet.SklearnTables)]
    public void CrossValidate_Binary_BreastCancer_FiveFolds()
    {
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 10, batchSize: 32));

        var folds = ml.BinaryClassification.CrossValidate(Synthetic.BreastCancer(ml), pipeline, numberOfFolds: 5);

        Assert.Equal(5, folds.Count);
        // 63% of the tumours are benign, so always answering "benign" scores 0.63.
        Assert.All(folds, fold => Assert.True(fold.Metrics.Accuracy > 0.85, $"fold {fold.Fold}: accuracy {fold.Metrics.Accuracy:F3}"));
        Assert.All(folds, fold => Assert.IsType<LearnedOptimizerTransformer>(((TransformerChain<LearnedOptimizerTransformer>)fold.Model).LastTransformer));
    }

    [Fact]
    public void CrossValidate_MulticlassAndRegression_FiveFolds()
    {
        var multiclass = ml.MulticlassClassification.CrossValidate(Synthetic.ThreeClasses(ml, 500, seed: 5),
            ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 20, batchSize: 32)),
            numberOfFolds: 5);
        Assert.Equal(5, multiclass.Count);
        Assert.All(multiclass, fold => Assert.True(fold.Metrics.MicroAccuracy > 0.8, $"fold {fold.Fold}: accuracy {fold.Metrics.MicroAccuracy:F3}"));

        var regression = ml.Regression.CrossValidate(Synthetic.Regression(ml, 300, seed: 6),
            ml.Regression.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 20, batchSize: 32), numberOfFolds: 5);
        Assert.Equal(5, regression.Count);
        Assert.All(regression, fold => Assert.True(fold.Metrics.RSquared > 0.9, $"fold {fold.Fold}: R² {fold.Metrics.RSquared:F3}"));
    }

    [Fact]
    public void SaveLoadRestore_GivesBackTheTypedTransformer_WithWeightsReportAndScores()
    {
        var data = Synthetic.Binary(ml, 300, seed: 7);
        var model = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 3, batchSize: 32))
            .Fit(data);
        var fitted = model.LastTransformer;

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var fresh = new MLContext();
        var loaded = LearnedOptimizerTransformer.Restore(fresh.Model.Load(stream, out var inputSchema), inputSchema);

        var restored = Assert.IsType<LearnedOptimizerTransformer>(((TransformerChain<ITransformer>)loaded).LastTransformer);
        Assert.Equal(fitted.Model.OutputWeights, restored.Model.OutputWeights);
        Assert.Equal(fitted.Model.OutputBiases, restored.Model.OutputBiases);
        Assert.Equal(fitted.Model.ScoringModel.ToArray(), restored.Model.ScoringModel.ToArray());
        Assert.Equal(fitted.FeatureColumnName, restored.FeatureColumnName);
        Assert.Equal(fitted.Report.Optimizer, restored.Report.Optimizer);
        Assert.Equal(fitted.Report.Steps, restored.Report.Steps);
        Assert.Equal(fitted.Report.TrainTime, restored.Report.TrainTime);
        Assert.Equal(fitted.Report.LossHistory, restored.Report.LossHistory);

        Assert.Equal(model.Transform(data).GetColumn<float>("Score"), loaded.Transform(data).GetColumn<float>("Score"));
        var importance = fresh.BinaryClassification.PermutationFeatureImportance(restored, loaded.Transform(data));
        Assert.True(-importance[0].AreaUnderRocCurve.Mean > 0.2, "permutation feature importance works on the restored transformer");
    }

    [Fact]
    public void SaveLoadRestore_HiddenLayerMulticlass_RestoresEveryParameter()
    {
        var data = Synthetic.ThreeClasses(ml, 300, seed: 8);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LearnedOptimizer(new LearnedOptimizerMulticlassTrainer.Options
            {
                OptimizerPath = OptimizerFiles.General, HiddenLayerSize = 5, Activation = HiddenActivation.Tanh, NumberOfEpochs = 2, Seed = 4,
            }))
            .Fit(data);

        var restored = Assert.IsType<LearnedOptimizerTransformer>(((TransformerChain<ITransformer>)
            LearnedOptimizerTransformer.Restore(PipelineTests.SaveAndLoad(ml, model, data.Schema), data.Schema)).LastTransformer);

        var fitted = model.LastTransformer.Model;
        Assert.Equal((5, HiddenActivation.Tanh, 3), (restored.Model.HiddenLayerSize, restored.Model.Activation, restored.Model.OutputSize));
        Assert.Equal(fitted.HiddenWeights, restored.Model.HiddenWeights);
        Assert.Equal(fitted.HiddenBiases, restored.Model.HiddenBiases);
        Assert.Equal(fitted.OutputWeights, restored.Model.OutputWeights);
        Assert.Equal(fitted.OutputBiases, restored.Model.OutputBiases);
    }

    [Fact]
    public void Restore_OfAChainSavedWithoutTheStateOutputs_SaysSo()
    {
        // What earlier versions saved: the scoring graph's ONNX transformer exposing only the prediction outputs.
        var data = Synthetic.Binary(ml, 50, seed: 14);
        var fitted = ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 1).Fit(data);
        var task = new BinaryTask();
        var old = ml.Transforms.ApplyOnnxModel(task.GraphOutputs, ["Features"], new MemoryStream(fitted.Model.ScoringModel.ToArray()))
            .Append(task.ColumnAdapter(ml, new LabelInfo(1)))
            .Fit(data);

        var loaded = PipelineTests.SaveAndLoad(ml, new TransformerChain<ITransformer>(old), data.Schema);
        var error = Assert.Throws<InvalidDataException>(() => LearnedOptimizerTransformer.Restore(loaded, data.Schema));

        Assert.Contains("did not record its weights", error.Message);
        Assert.Equal(fitted.Transform(data).GetColumn<float>("Score"), loaded.Transform(data).GetColumn<float>("Score"));
    }

    [Fact]
    public void Restore_LeavesModelsWithoutLearnedOptimizerPartsAlone()
    {
        var data = Synthetic.Binary(ml, 50, seed: 9);
        var loaded = PipelineTests.SaveAndLoad(ml, ml.Transforms.NormalizeMinMax("Features").Fit(data), data.Schema);

        Assert.Same(loaded, LearnedOptimizerTransformer.Restore(loaded, data.Schema));
    }

    [Fact]
    public void SimpleOverloadDefaults_AreTheOptionsDefaults()
    {
        var simple = typeof(LearnedOptimizerCatalog).GetMethods()
            .Where(m => m.GetParameters().Length > 2 && m.GetParameters()[0].ParameterType == typeof(BinaryClassificationCatalog.BinaryClassificationTrainers))
            .Single();
        var options = new LearnedOptimizerBinaryTrainer.Options();
        foreach (var parameter in simple.GetParameters().Skip(1))
        {
            var property = typeof(LearnedOptimizerTrainerOptions).GetProperty(char.ToUpperInvariant(parameter.Name![0]) + parameter.Name[1..], BindingFlags.Public | BindingFlags.Instance);
            Assert.True(property is not null, $"parameter {parameter.Name} has no matching option");
            Assert.Equal(property!.GetValue(options), parameter.DefaultValue);
        }

        var data = Synthetic.Binary(ml, 100, seed: 10);
        var fromArguments = ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General).Fit(data);
        var fromOptions = ml.BinaryClassification.Trainers.LearnedOptimizer(new LearnedOptimizerBinaryTrainer.Options { OptimizerPath = OptimizerFiles.General }).Fit(data);
        Assert.Equal(fromOptions.Model.OutputWeights, fromArguments.Model.OutputWeights);
    }

    [Fact]
    public void Multiclass_SingleLabel_GivesASinglePredictedLabelAfterMapKeyToValue_LikeSdca()
    {
        var data = Synthetic.ThreeClasses(ml, 400, seed: 11);
        var ours = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.General, numberOfEpochs: 20, batchSize: 32))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);
        var sdca = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);

        Assert.Equal(sdca.Transform(data).Schema["PredictedLabel"].Type, ours.Transform(data).Schema["PredictedLabel"].Type);
        Assert.Equal(NumberDataViewType.Single, ours.Transform(data).Schema["PredictedLabel"].Type);

        var engine = ml.Model.CreatePredictionEngine<Rows.Numeric, SingleLabelPrediction>(PipelineTests.SaveAndLoad(ml, ours, data.Schema), data.Schema);
        var rows = ml.Data.CreateEnumerable<Rows.Numeric>(data, reuseRowObject: false).Take(100).ToArray();
        var correct = rows.Count(row => engine.Predict(row).PredictedLabel == row.Label);
        Assert.True(correct > 80, $"{correct} of 100 rows predicted right");
    }

    [Fact]
    public void ExampleWeights_CountLikeRepeatedRows_AndZeroDropsARow()
    {
        var rows = ml.Data.CreateEnumerable<Rows.Binary>(Synthetic.Binary(ml, 40, seed: 12), reuseRowObject: false).ToArray();
        var weights = rows.Select((_, i) => (float)(i % 3)).ToArray();   // 0, 1, 2, 0, 1, 2, ...
        var weighted = Rows.Load(ml, rows.Select((r, i) => new Synthetic.Weighted { Features = r.Features, Label = r.Label, Weight = weights[i] }), 4);
        var repeated = Rows.Load(ml, rows.SelectMany((r, i) => Enumerable.Repeat(r, (int)weights[i])), 4);

        // Full-batch SGD, so the minibatch is the whole set and only the weighting differs.
        float[] Fit(IDataView data, string? weight) => ml.BinaryClassification.Trainers.LearnedOptimizer(new LearnedOptimizerBinaryTrainer.Options
        {
            Baseline = BaselineKind.Sgd, ExampleWeightColumnName = weight, NumberOfSteps = 20, BatchSize = 1000,
        }).Fit(data).Model.OutputWeights.ToArray();

        var byWeight = Fit(weighted, "Weight");
        var byRepetition = Fit(repeated, null);
        var unweighted = Fit(Rows.Load(ml, rows, 4), null);
        for (var i = 0; i < byWeight.Length; i++) Assert.Equal(byRepetition[i], byWeight[i], 5);
        Assert.True(byWeight.Zip(unweighted).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the weights changed nothing");
    }

    [Fact]
    public void Progress_GoesToMLContextLog_AndToTheCallback()
    {
        var messages = new List<LoggingEventArgs>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e); };
        var callbacks = new List<TrainingProgress>();

        ml.Regression.Trainers.LearnedOptimizer(new LearnedOptimizerRegressionTrainer.Options
        {
            OptimizerPath = OptimizerFiles.General, NumberOfSteps = 30, ProgressInterval = 10, BatchSize = 16, Progress = callbacks.Add,
        }).Fit(Synthetic.Regression(ml, 100, seed: 13));

        var ours = messages.Where(m => m.Source.StartsWith(nameof(LearnedOptimizerRegressionTrainer), StringComparison.Ordinal)
                                       && m.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info).ToArray();
        Assert.Equal([10, 20, 30], callbacks.Select(p => p.Step));
        Assert.Contains(ours, m => m.RawMessage.StartsWith("regression: 100 rows x 4 features", StringComparison.Ordinal));
        foreach (var step in new[] { 10, 20, 30 })
            Assert.Contains(ours, m => m.RawMessage.StartsWith($"step {step} of 30 ", StringComparison.Ordinal));
        Assert.Contains(ours, m => m.RawMessage.StartsWith("trained in 30 steps", StringComparison.Ordinal));
    }

    public sealed class SingleLabelPrediction
    {
        public float PredictedLabel { get; set; }
    }
}
