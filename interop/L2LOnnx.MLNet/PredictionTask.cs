using L2LOnnx.Runtime.Onnx.Writing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet;

/// <summary>
/// What differs between binary classification, multiclass classification and regression: the label's
/// type, the loss on the logits, and the columns the scoring graph and its adapters produce.
/// </summary>
internal abstract class PredictionTask
{
    /// <summary>E.g. <c>binary classification</c>, for messages and the model record.</summary>
    public abstract string Name { get; }

    /// <summary>The task whose <see cref="Name"/> is <paramref name="name"/>, or <c>null</c>.</summary>
    public static PredictionTask? FromName(string name) =>
        new PredictionTask[] { new BinaryTask(), new MulticlassTask(), new RegressionTask() }.FirstOrDefault(t => t.Name == name);

    /// <summary>Checks the label column of a schema shape (before training).</summary>
    public abstract LabelInfo CheckLabel(SchemaShape.Column label);

    /// <summary>Checks the label column of the data and reads what the model needs from it.</summary>
    public abstract LabelInfo CheckLabel(DataViewSchema.Column label);

    /// <summary>Reads the label of the cursor's current row as the loss's target, or throws naming the row.</summary>
    public abstract Func<float> LabelReader(DataViewRow row, DataViewSchema.Column label);

    /// <summary>
    /// Rescales the targets of <paramref name="data"/> in place if the loss wants them standardised, and
    /// returns how the model's output maps back: prediction = scale · output + shift.
    /// </summary>
    public virtual (float Scale, float Shift) StandardizeTargets(TrainingSet data) => (1, 0);

    /// <summary>
    /// Sum of the weighted per-row losses of <paramref name="batch"/> rows (row i counts
    /// <paramref name="weights"/>[i] times), and the gradient of that sum divided by <paramref name="batch"/>
    /// with respect to every logit into <paramref name="logitGradients"/>.
    /// </summary>
    public abstract double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int batch, Span<float> logitGradients);

    /// <summary>Adds the task's outputs, computed from the logits vector [K], to the scoring graph.</summary>
    public abstract void AddOutputs(OnnxGraphWriter graph, string logits, int outputs);

    /// <summary>Names of the scoring graph's outputs.</summary>
    public abstract string[] GraphOutputs { get; }

    /// <summary>The ML.NET transforms after the ONNX scorer that produce the standard columns and drop the internal ones.</summary>
    public abstract IEstimator<ITransformer> ColumnAdapter(MLContext ml, LabelInfo label);

    protected static ArgumentOutOfRangeException LabelTypeError(string column, string actual, string task, string needed, string remedy) =>
        new("inputSchema", $"label column '{column}' has type {actual}, but {task} needs {needed}: {remedy}");
}
