using Onnx;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>
/// Finding 3 of issue 11: files under the size cap that ask for millions of objects, gigabytes of
/// constants or deep nesting are refused fast and small (<see cref="Bounded"/>).
/// </summary>
public sealed class DenialOfServiceTests
{
    [Fact]
    public void AHundredMegabytesOfEmptyNodesIsRefusedQuickly()
    {
        var e = Bounded.Refused(Wire.Model(Wire.Repeat(Wire.Field(1, Array.Empty<byte>()), 50_000_000)));
        Assert.Contains("more than 10,000 nodes", e.Message);
    }

    [Fact]
    public void FiftyMillionEmptyValueInfosAreRefusedQuickly()
    {
        var e = Bounded.Refused(Wire.Model(Wire.Repeat(Wire.Field(13, Array.Empty<byte>()), 52_000_000)));
        Assert.Contains("value_info", e.Message);
    }

    [Fact]
    public void TwentyMillionDimsOnAScalarAreRefusedQuickly()
    {
        var shape = Wire.Repeat(Wire.Field(1, Array.Empty<byte>()), 20_000_000);
        var input = Wire.Join(Wire.Field(1, "grad"), Wire.Field(2, Wire.Field(1, Wire.Join(Wire.Number(1, 1), Wire.Field(2, shape)))));
        var e = Bounded.Refused(Wire.Model(Wire.Field(11, input)));
        Assert.Contains("dims in a shape", e.Message);
    }

    [Fact]
    public void AHundredMegabytesOfPackedIntegersInOneAttributeAreRefusedQuickly()
    {
        var ints = new byte[100_000_000];
        Array.Fill(ints, (byte)1);
        var node = Wire.Join(Wire.Field(4, "Identity"), Wire.Field(5, Wire.Join(Wire.Field(1, "x"), Wire.Field(8, ints))));
        var e = Bounded.Refused(Wire.Model(Wire.Field(1, node)));
        Assert.Contains("MiB of model data", e.Message);
    }

    [Fact]
    public void TwoHundredNestedSequenceTypesAreRefused()
    {
        byte[] type = Wire.Field(1, Wire.Number(1, 1));
        for (var level = 0; level < 200; level++) type = Wire.Field(4, Wire.Field(1, type));
        var e = Bounded.Refused(Wire.Model(Wire.Field(13, Wire.Join(Wire.Field(1, "deep"), Wire.Field(2, type)))));
        Assert.Contains("nested deeper than 64", e.Message);
    }

    [Theory]
    [InlineData("ConstantOfShape")]
    [InlineData("Expand")]
    [InlineData("Tile")]
    public void AShapeMakerWithAHugeConstantSizeIsRefused(string op)
    {
        // 2^29 floats = 2 GiB, from a file of a few hundred bytes, at load and again at every step.
        var model = HostileModels.Base();
        var size = new TensorProto { Name = "size", DataType = (int)TensorProto.Types.DataType.Int64 };
        size.Dims.Add(1);
        size.Int64Data.Add(1L << 29);
        model.Graph.Initializer.Add(size);
        var node = new NodeProto { OpType = op, Name = "big" };
        node.Input.Add(op == "ConstantOfShape" ? ["size"] : ["minus_lr", "size"]);
        node.Output.Add("big");
        model.Graph.Node.Add(node);
        var e = Bounded.Refused(Google.Protobuf.MessageExtensions.ToByteArray(model));
        Assert.Contains($"({op} with a constant size)", e.Message);
    }
}
