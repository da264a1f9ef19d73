using Google.Protobuf;
using Onnx;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>Finding 6 of issue 11: broken graphs are refused by the precheck, before ONNX Runtime.</summary>
public sealed class GraphRuleTests
{
    [Fact]
    public void RawDataThatDoesNotMatchTheDimsIsRefused()
    {
        var e = Refused(m =>
        {
            var lr = m.Graph.Initializer.Single(t => t.Name == "minus_lr");
            lr.FloatData.Clear();
            lr.Dims.Add(3);
            lr.RawData = HostileModels.Floats(-0.1f, -0.1f);
        });
        Assert.Contains("8 bytes of raw_data, but its shape [3] of Float needs 12", e.Message);
    }

    [Fact]
    public void NonFiniteWeightsAreRefused()
    {
        var e = Refused(m => m.Graph.Initializer.Single(t => t.Name == "minus_lr").FloatData[0] = float.NaN);
        Assert.Contains("weights must be finite", e.Message);
    }

    [Fact]
    public void DuplicateInputNamesAreRefused()
    {
        var e = Refused(m => m.Graph.Input.Add(m.Graph.Input[0].Clone()));
        Assert.Contains("graph input 'grad' is declared twice", e.Message);
    }

    [Fact]
    public void ADanglingNodeInputIsRefused()
    {
        var e = Refused(m => m.Graph.Node[0].Input[1] = "nowhere");
        Assert.Contains("reads 'nowhere', which no graph input, initializer or earlier node defines", e.Message);
    }

    [Fact]
    public void AValueWrittenTwiceIsRefused()
    {
        var e = Refused(m => m.Graph.Node[1].Output[0] = "update");
        Assert.Contains("writes 'update', which is already defined", e.Message);
    }

    [Fact]
    public void TwoNodesOfTheSameNameAreRefused()
    {
        var e = Refused(m => m.Graph.Node[1].Name = m.Graph.Node[0].Name);
        Assert.Contains("two nodes are named 'update'", e.Message);
    }

    [Fact]
    public void ANodeWithAnInputMissingIsRefused()
    {
        var e = Refused(m => m.Graph.Node[0].Input.RemoveAt(1));
        Assert.Contains("has 1 input(s); Mul takes 2", e.Message);
    }

    [Theory]
    [InlineData(99, 17, "IR version 99")]
    [InlineData(2, 17, "IR version 2")]
    [InlineData(8, 99, "operator set 99")]
    [InlineData(8, 6, "operator set 6")]
    public void VersionsOnnxRuntimeDoesNotRunAreRefused(long ir, long opset, string expected)
    {
        var e = Refused(m =>
        {
            m.IrVersion = ir;
            m.OpsetImport[0].Version = opset;
        });
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ANegativeDimIsRefusedNotReadAsSymbolic()
    {
        var e = Refused(m => m.Graph.Input[1].Type.TensorType.Shape.Dim[1] = new TensorShapeProto.Types.Dimension { DimValue = -1 });
        Assert.Contains("dim_value is negative (-1)", e.Message);
    }

    [Fact]
    public void AnUnknownLengthDelimitedFieldIsRefused()
    {
        // Field 9 of NodeProto is metadata_props in newer ONNX; a field this reader does not know is refused.
        var model = HostileModels.Base();
        var node = Wire.Join(model.Graph.Node[0].ToByteArray(), Wire.Field(99, "payload"));
        model.Graph.Node[0] = NodeProto.Parser.ParseFrom(node);
        var e = Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(model.ToByteArray()));
        Assert.Contains("field 99 of ModelProto.graph.node[0]", e.Message);
    }

    private static ContractViolationException Refused(Action<ModelProto> edit)
    {
        var model = HostileModels.Base();
        edit(model);
        return Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(model.ToByteArray()));
    }
}
