using System.Globalization;
using L2LOnnx.MLNet;
using L2LOnnx.Runtime.Baselines;
using Microsoft.ML;
using Microsoft.ML.Trainers;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// The trainers compared on a task of each kind: the learned optimizer's trainer, the same trainer with
/// Adam and with SGD (so that only the optimizer differs), and ML.NET's own L-BFGS, SDCA and
/// stochastic/online gradient descent trainers.
/// </summary>
internal static class ComparisonTrainers
{
    /// <summary>
    /// The trainers for <paramref name="kind"/>, each with its name and role, in the order of the tables;
    /// the Adam twin runs at <paramref name="adamRate"/>. Lazy, so that Adam's tuning builds only the
    /// trainers up to the one it fits.
    /// </summary>
    public static IEnumerable<(string Name, TrainerRole Role, IEstimator<ITransformer> Estimator)> Roster(MLContext ml, TaskKind kind, ComparisonSettings s, double adamRate)
    {
        T Learned<T>(T options, BaselineKind? baseline = null, int hidden = 0) where T : LearnedOptimizerTrainerOptions
        {
            options.OptimizerPath = s.Optimizer;
            options.Baseline = baseline;
            options.LearningRate = baseline == BaselineKind.Adam ? adamRate : null;
            options.NumberOfEpochs = s.Epochs;
            options.BatchSize = s.BatchSize;
            options.Seed = s.Seed;
            options.NumberOfThreads = s.Threads;
            options.HiddenLayerSize = hidden;
            return options;
        }

        var optimizerName = Path.GetFileName(s.Optimizer ?? DefaultLearnedOptimizer.Source);
        switch (kind)
        {
            case TaskKind.Multiclass:
                yield return ($"learned ({optimizerName}), softmax", TrainerRole.Learned, ml.MulticlassClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerMulticlassTrainer.Options())));
                if (s.Hidden > 0)
                    yield return ($"learned ({optimizerName}), MLP {s.Hidden} ReLU", TrainerRole.Other, ml.MulticlassClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerMulticlassTrainer.Options(), hidden: s.Hidden)));
                yield return (AdamName(adamRate), TrainerRole.TunedAdam, ml.MulticlassClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerMulticlassTrainer.Options(), BaselineKind.Adam)));
                yield return ("same trainer, SGD(lr=0.1)", TrainerRole.Other, ml.MulticlassClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerMulticlassTrainer.Options(), BaselineKind.Sgd)));
                yield return ("ML.NET L-BFGS maximum entropy", TrainerRole.MlNet, ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SDCA maximum entropy", TrainerRole.MlNet, ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SGD (one-vs-all, calibrated)", TrainerRole.MlNet, ml.MulticlassClassification.Trainers.OneVersusAll(
                    ml.BinaryClassification.Trainers.SgdCalibrated(new SgdCalibratedTrainer.Options { NumberOfThreads = s.Threads })));
                break;
            case TaskKind.Binary:
                yield return ($"learned ({optimizerName}), logistic", TrainerRole.Learned, ml.BinaryClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerBinaryTrainer.Options())));
                yield return (AdamName(adamRate), TrainerRole.TunedAdam, ml.BinaryClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerBinaryTrainer.Options(), BaselineKind.Adam)));
                yield return ("same trainer, SGD(lr=0.1)", TrainerRole.Other, ml.BinaryClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerBinaryTrainer.Options(), BaselineKind.Sgd)));
                yield return ("ML.NET L-BFGS logistic regression", TrainerRole.MlNet, ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SDCA logistic regression", TrainerRole.MlNet, ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SGD (calibrated)", TrainerRole.MlNet, ml.BinaryClassification.Trainers.SgdCalibrated(new SgdCalibratedTrainer.Options { NumberOfThreads = s.Threads }));
                break;
            default:
                yield return ($"learned ({optimizerName}), least squares", TrainerRole.Learned, ml.Regression.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerRegressionTrainer.Options())));
                yield return (AdamName(adamRate), TrainerRole.TunedAdam, ml.Regression.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerRegressionTrainer.Options(), BaselineKind.Adam)));
                yield return ("same trainer, SGD(lr=0.1)", TrainerRole.Other, ml.Regression.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerRegressionTrainer.Options(), BaselineKind.Sgd)));
                yield return ("ML.NET L-BFGS Poisson regression", TrainerRole.MlNet, ml.Regression.Trainers.LbfgsPoissonRegression(new LbfgsPoissonRegressionTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SDCA (squared loss)", TrainerRole.MlNet, ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET online gradient descent", TrainerRole.MlNet, ml.Regression.Trainers.OnlineGradientDescent());
                break;
        }
    }

    private static string AdamName(double rate) => string.Create(CultureInfo.InvariantCulture, $"same trainer, Adam(lr={rate:G3}, picked on validation)");
}
