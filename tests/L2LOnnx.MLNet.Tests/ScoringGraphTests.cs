using Microsoft.ML;

namespace L2LOnnx.MLNet.Tests;

/// <summary>
/// The scoring graphs (prediction outputs plus the state outputs that Restore reads) pass the official ONNX
/// checker with strict shape inference, for every task, with and without a hidden layer.
/// </summary>
public sealed class ScoringGraphTests
{
    private readonly MLContext ml = new(seed: 1);

    [OnnxCheckerFact]
    public void EveryTaskAndShape_PassesTheFullCheck()
    {
        using var temp = new TempDirectory();
        var paths = new List<string>();
        foreach (var hidden in new[] { 0, 3 })
        {
            var binary = ml.BinaryClassification.Trainers.LearnedOptimizer(new LearnedOptimizerBinaryTrainer.Options
            {
                OptimizerPath = OptimizerFiles.General, HiddenLayerSize = hidden, NumberOfSteps = 2,
            }).Fit(Synthetic.Binary(ml, 50, seed: 1));
            var multiclass = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.LearnedOptimizer(
                new LearnedOptimizerMulticlassTrainer.Options { OptimizerPath = OptimizerFiles.General, HiddenLayerSize = hidden, NumberOfSteps = 2 }))
                .Fit(Synthetic.ThreeClasses(ml, 50, seed: 2)).LastTransformer;
            var regression = ml.Regression.Trainers.LearnedOptimizer(new LearnedOptimizerRegressionTrainer.Options
            {
                OptimizerPath = OptimizerFiles.General, HiddenLayerSize = hidden, NumberOfSteps = 2,
            }).Fit(Synthetic.Regression(ml, 50, seed: 3));
            foreach (var (name, model) in new[] { ("binary", binary), ("multiclass", multiclass), ("regression", regression) })
            {
                var path = temp.File($"{name}-{hidden}.onnx");
                model.Model.SaveScoringModel(path);
                paths.Add(path);
            }
        }

        var (exit, output, error) = DebianPython.Run(
            ["-c", "import sys, onnx\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(p), full_check=True)\n    print('ok', p)", .. paths]);

        Assert.True(exit == 0, $"the ONNX checker refused a scoring graph:\n{output}\n{error}");
        Assert.Equal(paths.Count, output.Split('\n').Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
    }
}
