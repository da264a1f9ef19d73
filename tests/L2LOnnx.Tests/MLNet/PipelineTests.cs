using L2LOnnx.MLNet;
using L2LOnnx.Runtime.Baselines;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.Tests.MLNet;

/// <summary>Pipelines of ML.NET transforms and a learned-optimizer trainer on real MNIST digits.</summary>
public sealed class PipelineTests
{
    [Fact]
    public void Multiclass_FitsDigits_BeatsMajorityClass_AndReloadsIdentically()
    {
        var ml = new MLContext(seed: 1);
        var train = Rows.Digits(ml, 0, 2000);
        var test = Rows.Digits(ml, 8000, 1000);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.LearnedOptimizer(new LearnedOptimizerMulticlassTrainer.Options
            {
                Baseline = BaselineKind.Adam, LearningRate = 0.01, NumberOfEpochs = 3,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var model = pipeline.Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);

        Assert.True(metrics.MacroAccuracy > 0.8, $"accuracy {metrics.MacroAccuracy:F3}");
        using var stream = new MemoryStream();
        ml.Model.Save(model, train.Schema, stream);
        stream.Position = 0;
        var loaded = new MLContext().Model.Load(stream, out _);
        Assert.Equal(scored.GetColumn<string>("PredictedLabel").ToArray(), loaded.Transform(test).GetColumn<string>("PredictedLabel").ToArray());
        Assert.Equal(scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray(), loaded.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray());
    }
}
