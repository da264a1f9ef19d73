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

// 4. Evaluate with ML.NET's evaluator.
var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));
Console.WriteLine($"test: accuracy {metrics.Accuracy:P1}, AUC {metrics.AreaUnderRocCurve:0.000}, log-loss {metrics.LogLoss:0.000}");

// 5. Save, and 6. load in a fresh MLContext (any process with L2LOnnx.MLNet.dll next to it).
ml.Model.Save(model, data.Schema, "tumours.zip");
var fresh = new MLContext();
var loaded = fresh.Model.Load("tumours.zip", out _);

// 7. Predict one tumour.
var engine = fresh.Model.CreatePredictionEngine<Tumour, Diagnosis>(loaded);
var tumour = ml.Data.CreateEnumerable<Tumour>(split.TestSet, reuseRowObject: false).First();
var diagnosis = engine.Predict(tumour);
Console.WriteLine($"first test tumour: predicted benign = {diagnosis.PredictedLabel} (score {diagnosis.Score:0.00}, probability {diagnosis.Probability:0.0000}), actually benign = {tumour.Label}");

public sealed class Tumour
{
    [LoadColumn(0, 29), VectorType(30)] public float[] Features { get; set; } = [];
    [LoadColumn(30)] public bool Label { get; set; }   // 0 = malignant, 1 = benign
}

public sealed class Diagnosis
{
    public bool PredictedLabel { get; set; }
    public float Probability { get; set; }
    public float Score { get; set; }
}
