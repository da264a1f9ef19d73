using System.Reflection;
using L2LOnnx.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace L2LOnnx.MLNet.Tests;

/// <summary><c>GetOutputSchema</c> promises exactly the columns <c>Fit</c> then produces.</summary>
public sealed class SchemaTests
{
    [DataSetFact(DataSet.Mnist)]
    public void Binary_OutputSchemaMatchesFit()
    {
        var ml = new MLContext(seed: 1);
        var data = Rows.ThreeVersusFive(ml, 0, 300);
        var trainer = ml.BinaryClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic, numberOfEpochs: 1);

        var promised = trainer.GetOutputSchema(Shape(data.Schema));
        var produced = trainer.Fit(data).Transform(data).Schema;

        AssertSame(promised, produced);
        Assert.Contains(promised, c => c.Name == "Probability");
    }

    [DataSetFact(DataSet.Mnist)]
    public void Multiclass_WithHiddenLayer_OutputSchemaMatchesFit_IncludingTheLabelsKeyValues()
    {
        var ml = new MLContext(seed: 1);
        var data = Rows.Digits(ml, 0, 300);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic, numberOfEpochs: 1, hiddenLayerSize: 4));

        var promised = pipeline.GetOutputSchema(Shape(data.Schema));
        var produced = pipeline.Fit(data).Transform(data).Schema;

        AssertSame(promised, produced);
        var predicted = produced["PredictedLabel"];
        Assert.Equal(10UL, Assert.IsType<KeyDataViewType>(predicted.Type).Count);
        VBuffer<ReadOnlyMemory<char>> labelValues = default, predictedValues = default;
        produced["Label"].GetKeyValues(ref labelValues);
        predicted.GetKeyValues(ref predictedValues);
        Assert.Equal(labelValues.DenseValues().Select(v => v.ToString()), predictedValues.DenseValues().Select(v => v.ToString()));
    }

    [Fact]
    public void Regression_OutputSchemaMatchesFit()
    {
        var ml = new MLContext(seed: 1);
        var data = Rows.Load(ml, Enumerable.Range(0, 50).Select(i => new Rows.Numeric { Features = [i, 1], Label = 2 * i }), 2);
        var trainer = ml.Regression.Trainers.LearnedOptimizer(optimizerPath: OptimizerFiles.Quadratic, numberOfEpochs: 1);

        var promised = trainer.GetOutputSchema(Shape(data.Schema));
        var produced = trainer.Fit(data).Transform(data).Schema;

        AssertSame(promised, produced);
        Assert.DoesNotContain(produced, c => c.Name.StartsWith(ColumnNames.InternalPrefix, StringComparison.Ordinal));
    }

    /// <summary>ML.NET keeps SchemaShape.Create internal; its own tests call it the same way.</summary>
    internal static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    private static void AssertSame(SchemaShape promised, DataViewSchema produced)
    {
        var visible = produced.Where(c => !c.IsHidden).ToArray();
        Assert.Equal(visible.Select(c => c.Name).Order(), promised.Select(c => c.Name).Order());
        var actual = Shape(produced);
        foreach (var column in promised)
        {
            var match = actual.Single(c => c.Name == column.Name);
            Assert.True(column.Kind == match.Kind, $"{column.Name}: promised {column.Kind}, produced {match.Kind}");
            Assert.True(column.ItemType.Equals(match.ItemType), $"{column.Name}: promised {column.ItemType}, produced {match.ItemType}");
            Assert.True(column.IsKey == match.IsKey, $"{column.Name}: promised key {column.IsKey}, produced key {match.IsKey}");
            Assert.Equal(match.Annotations.Select(a => a.Name).Order(), column.Annotations.Select(a => a.Name).Order());
        }
    }
}
