using Microsoft.ML;

namespace L2LOnnx.MLNet;

/// <summary>
/// Learned-optimizer trainers in ML.NET's catalogs: <c>mlContext.BinaryClassification.Trainers.LearnedOptimizer(...)</c>,
/// <c>mlContext.MulticlassClassification.Trainers.LearnedOptimizer(...)</c> and
/// <c>mlContext.Regression.Trainers.LearnedOptimizer(...)</c>, each with a simple overload and one
/// taking an options object.
/// </summary>
public static class LearnedOptimizerCatalog
{
    /// <summary>Logistic regression trained by a learned optimizer.</summary>
    /// <param name="catalog">The binary classification trainers catalog.</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of Single.</param>
    /// <param name="exampleWeightColumnName">The example-weight column (Single, &gt;= 0), or <c>null</c> for equal weights.</param>
    /// <param name="optimizerPath">A contract-v1 ONNX optimizer; <c>null</c> for the shipped <c>models/general.onnx</c>.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="batchSize">Rows per minibatch.</param>
    /// <param name="l2Regularization">L2 penalty on the weights.</param>
    public static LearnedOptimizerBinaryTrainer LearnedOptimizer(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, string? optimizerPath = null,
        int numberOfEpochs = 10, int batchSize = 128, float l2Regularization = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LearnedOptimizerBinaryTrainer(CatalogEnvironment.Of(catalog), new LearnedOptimizerBinaryTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, ExampleWeightColumnName = exampleWeightColumnName, OptimizerPath = optimizerPath,
            NumberOfEpochs = numberOfEpochs, BatchSize = batchSize, L2Regularization = l2Regularization,
        });
    }

    /// <summary>Logistic regression trained by a learned optimizer (or a baseline), with every setting.</summary>
    public static LearnedOptimizerBinaryTrainer LearnedOptimizer(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        LearnedOptimizerBinaryTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new LearnedOptimizerBinaryTrainer(CatalogEnvironment.Of(catalog), options);
    }

    /// <summary>Softmax regression, or a one-hidden-layer perceptron, trained by a learned optimizer.</summary>
    /// <param name="catalog">The multiclass classification trainers catalog.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of Single.</param>
    /// <param name="exampleWeightColumnName">The example-weight column (Single, &gt;= 0), or <c>null</c> for equal weights.</param>
    /// <param name="optimizerPath">A contract-v1 ONNX optimizer; <c>null</c> for the shipped <c>models/general.onnx</c>.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="batchSize">Rows per minibatch.</param>
    /// <param name="hiddenLayerSize">Units of one hidden layer (ReLU); 0 for softmax regression.</param>
    /// <param name="l2Regularization">L2 penalty on the weights.</param>
    public static LearnedOptimizerMulticlassTrainer LearnedOptimizer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, string? optimizerPath = null,
        int numberOfEpochs = 10, int batchSize = 128, int hiddenLayerSize = 0, float l2Regularization = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LearnedOptimizerMulticlassTrainer(CatalogEnvironment.Of(catalog), new LearnedOptimizerMulticlassTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, ExampleWeightColumnName = exampleWeightColumnName, OptimizerPath = optimizerPath,
            NumberOfEpochs = numberOfEpochs, BatchSize = batchSize, HiddenLayerSize = hiddenLayerSize, L2Regularization = l2Regularization,
        });
    }

    /// <summary>Softmax regression or a one-hidden-layer perceptron trained by a learned optimizer (or a baseline), with every setting.</summary>
    public static LearnedOptimizerMulticlassTrainer LearnedOptimizer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        LearnedOptimizerMulticlassTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new LearnedOptimizerMulticlassTrainer(CatalogEnvironment.Of(catalog), options);
    }

    /// <summary>Least-squares linear regression trained by a learned optimizer.</summary>
    /// <param name="catalog">The regression trainers catalog.</param>
    /// <param name="labelColumnName">The Single label column.</param>
    /// <param name="featureColumnName">The feature column: a known-size vector of Single.</param>
    /// <param name="exampleWeightColumnName">The example-weight column (Single, &gt;= 0), or <c>null</c> for equal weights.</param>
    /// <param name="optimizerPath">A contract-v1 ONNX optimizer; <c>null</c> for the shipped <c>models/general.onnx</c>.</param>
    /// <param name="numberOfEpochs">Passes over the data.</param>
    /// <param name="batchSize">Rows per minibatch.</param>
    /// <param name="l2Regularization">L2 penalty on the weights.</param>
    public static LearnedOptimizerRegressionTrainer LearnedOptimizer(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string? exampleWeightColumnName = null, string? optimizerPath = null,
        int numberOfEpochs = 10, int batchSize = 128, float l2Regularization = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LearnedOptimizerRegressionTrainer(CatalogEnvironment.Of(catalog), new LearnedOptimizerRegressionTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, ExampleWeightColumnName = exampleWeightColumnName, OptimizerPath = optimizerPath,
            NumberOfEpochs = numberOfEpochs, BatchSize = batchSize, L2Regularization = l2Regularization,
        });
    }

    /// <summary>Least-squares linear regression trained by a learned optimizer (or a baseline), with every setting.</summary>
    public static LearnedOptimizerRegressionTrainer LearnedOptimizer(this RegressionCatalog.RegressionTrainers catalog,
        LearnedOptimizerRegressionTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new LearnedOptimizerRegressionTrainer(CatalogEnvironment.Of(catalog), options);
    }
}
