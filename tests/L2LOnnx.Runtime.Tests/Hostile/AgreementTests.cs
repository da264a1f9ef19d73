using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>
/// Finding 4 of issue 11: what the precheck accepts is what ONNX Runtime runs. Singular messages that
/// protobuf would merge are refused, and single-byte flips of the shipped models that the precheck
/// accepts load in ONNX Runtime too.
/// </summary>
public sealed class AgreementTests
{
    [Fact]
    public void ATensorTypeGivenTwiceIsRefused()
    {
        // Written by hand: the protobuf classes would merge the copies while parsing, as protobuf does
        // (the second tensor_type's dims appended to the first's); the reader refuses instead.
        var model = HostileModels.Base();
        var graph = model.Graph;
        var type = Google.Protobuf.MessageExtensions.ToByteArray(graph.Input[0].Type);
        graph.Input.RemoveAt(0);
        var graphBytes = Wire.Join(Google.Protobuf.MessageExtensions.ToByteArray(graph), Wire.Field(11, Wire.Join(Wire.Field(1, "grad"), Wire.Field(2, Wire.Join(type, type)))));
        model.Graph = null;
        var bytes = Wire.Join(Google.Protobuf.MessageExtensions.ToByteArray(model), Wire.Field(7, graphBytes));
        var e = Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(bytes));
        Assert.Contains("appears more than once", e.Message);
    }

    // The flipped byte is the field tag that follows a node's named input or output, found by the bytes
    // before it so that the test still hits the same structure when a model is re-exported: quadratic's
    // output node's second input after "output_matmul", mnist-mlp's second LSTM node's Y_c output after
    // its empty Y_h. Changing a tag changes what the rest of the node parses as.
    [Theory]
    [InlineData("quadratic.onnx", "\n\routput_matmul")]
    [InlineData("mnist-mlp.onnx", "\n\blstm1_c0\u0012\u0000")]
    public void EveryValueOfAFlippedByteIsRefusedByThePrecheckOrLoadsInOnnxRuntime(string file, string before)
    {
        var original = File.ReadAllBytes(RepositoryModels.PathOf(file));
        var marker = System.Text.Encoding.Latin1.GetBytes(before);
        var at = original.AsSpan().IndexOf(marker);
        Assert.True(at >= 0 && original.AsSpan(at + 1).IndexOf(marker) < 0, $"{file}: the bytes before the flipped tag occur {(at < 0 ? "nowhere" : "more than once")}");
        var offset = at + marker.Length;
        var disagreements = new List<string>();
        for (var value = 0; value < 256; value++)
        {
            var bytes = (byte[])original.Clone();
            bytes[offset] = (byte)value;
            try
            {
                ModelPrecheck.Check(bytes);
            }
            catch (ContractViolationException)
            {
                continue;
            }
            try
            {
                using var session = new InferenceSession(bytes);
            }
            catch (OnnxRuntimeException e)
            {
                disagreements.Add($"0x{value:x2}: {e.Message[..Math.Min(160, e.Message.Length)]}");
            }
        }
        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
    }

    [Fact]
    public void AnOnnxRuntimeRefusalAtLoadIsAContractViolation()
    {
        // An operator the arity table does not list, with an input too many: only ONNX Runtime knows.
        var model = HostileModels.Base();
        var node = new NodeProto { OpType = "HardSwish", Name = "odd" };
        node.Input.Add(["grad", "grad"]);
        node.Output.Add("odd");
        model.Graph.Node.Add(node);
        var e = Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(Google.Protobuf.MessageExtensions.ToByteArray(model)));
        Assert.Contains("ONNX Runtime cannot load the model", e.Message);
        Assert.IsType<OnnxRuntimeException>(e.InnerException);
    }
}
