using L2LOnnx.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext(seed: 1);

// 1. Load: Wisconsin breast-cancer diagnostics, 569 tumours x 30 measurements (Debian package python3-sklearn).
var data = ml.Data.LoadFromTextFile<Tumour>(
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv", separatorChar: ',', hasHeader: true);
var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);

// begin-snippet: pipeline
// 2. Pipeline: ML.NET's own normalisation, then a trainer whose every step comes from a learned optimizer.
var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
    .Append(ml.BinaryClassification.Trainers.LearnedOptimizer(   // the shipped general.onnx, inside the package
        numberOfEpochs: 20, batchSize: 32));

// 3. Fit.
var model = pipeline.Fit(split.TrainSet);
var report = model.LastTransformer.Report;
Console.WriteLine($"trained by {report.Optimizer}: {report.Steps} steps in {report.TrainTime.TotalSeconds:0.00} s, " +
                  $"mean log-loss of the first 100 steps {report.LossHistory[0].Loss:0.000}, of the last {report.FinalLoss:0.000}");

// end-snippet

// 4. Evaluate with ML.NET's evaluator, on the held-out split and by 5-fold cross-validation.
var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));
Console.WriteLine($"test: accuracy {metrics.Accuracy:P1}, AUC {metrics.AreaUnderRocCurve:0.000}, log-loss {metrics.LogLoss:0.000}");
var folds = ml.BinaryClassification.CrossValidate(data, pipeline, numberOfFolds: 5);
Console.WriteLine($"5-fold cross-validation: accuracy {folds.Average(f => f.Metrics.Accuracy):P1} (folds {string.Join(", ", folds.Select(f => f.Metrics.Accuracy.ToString("P0")))})");

// 5. Which measurements matter: permutation feature importance, as for any ML.NET linear model.
var importance = ml.BinaryClassification.PermutationFeatureImportance(model.LastTransformer, model.Transform(split.TestSet), permutationCount: 3);
var top = importance.Select((m, i) => (Slot: i, Drop: -m.AreaUnderRocCurve.Mean)).OrderByDescending(x => x.Drop).Take(3);
Console.WriteLine("most important: " + string.Join(", ", top.Select(x => $"{Tumour.Measurement(x.Slot)} (AUC -{x.Drop:0.000})")));

// 6. Save, and 7. load in a fresh MLContext (any process with L2LOnnx.MLNet.dll next to it); Restore gives the
//    typed transformer back, weights and training report included.
ml.Model.Save(model, data.Schema, "tumours.zip");
var fresh = new MLContext();
var loaded = LearnedOptimizerTransformer.Restore(fresh.Model.Load("tumours.zip", out var inputSchema), inputSchema);
var restored = (LearnedOptimizerTransformer)((TransformerChain<ITransformer>)loaded).LastTransformer;
Console.WriteLine($"loaded: {restored.Model.OutputWeights.Count} weights, trained by {restored.Report.Optimizer} in {restored.Report.Steps} steps");

// 8. Predict one tumour.
var engine = fresh.Model.CreatePredictionEngine<Tumour, Diagnosis>(loaded);
var tumour = ml.Data.CreateEnumerable<Tumour>(split.TestSet, reuseRowObject: false).First();
var diagnosis = engine.Predict(tumour);
Console.WriteLine($"first test tumour: predicted benign = {diagnosis.PredictedLabel} (score {diagnosis.Score:0.00}, probability {diagnosis.Probability:0.0000}), actually benign = {tumour.Label}");

public sealed class Tumour
{
    [LoadColumn(0, 29), VectorType(30)] public float[] Features { get; set; } = [];
    [LoadColumn(30)] public bool Label { get; set; }   // 0 = malignant, 1 = benign

    // The file's 30 columns: 10 measurements of the cell nuclei, as mean, standard error and worst value.
    private static readonly string[] Nuclei = ["radius", "texture", "perimeter", "area", "smoothness", "compactness",
                                               "concavity", "concave points", "symmetry", "fractal dimension"];
    public static string Measurement(int slot) => (slot / 10) switch { 0 => $"mean {Nuclei[slot]}", 1 => $"{Nuclei[slot - 10]} error", _ => $"worst {Nuclei[slot - 20]}" };
}

public sealed class Diagnosis
{
    public bool PredictedLabel { get; set; }
    public float Probability { get; set; }
    public float Score { get; set; }
}
