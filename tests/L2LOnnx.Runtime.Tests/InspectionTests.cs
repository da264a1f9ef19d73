using L2LOnnx.Runtime;

namespace L2LOnnx.Runtime.Tests;

/// <summary>A loaded optimizer describes its contract and its file.</summary>
public sealed class InspectionTests
{
    [Fact]
    public void TheContractAndTheModelAreDescribed()
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(layers: 2, hidden: 20), new LearnedOptimizerOptions { IntraOpThreads = 1 });
        Assert.False(optimizer.Contract.HasParamInput);
        Assert.Equal(["state_lstm0_h", "state_lstm0_c", "state_lstm1_h", "state_lstm1_c"], optimizer.Contract.States.Select(s => s.Name));
        Assert.All(optimizer.Contract.States, s => Assert.Equal(20, s.Width));
        Assert.Equal(80, optimizer.Contract.StateWidth);
        Assert.Equal("lstm-coordinatewise", optimizer.Contract.Metadata["l2l.architecture"]);

        Assert.Equal(17, optimizer.Model.Opset);
        Assert.Equal(8, optimizer.Model.IrVersion);
        Assert.Equal(2, optimizer.Model.OperatorCounts["LSTM"]);
        Assert.Equal(1, optimizer.Model.OperatorCounts["MatMul"]);
        // Two LSTM layers (4H x (in + H) + 8H each), the output layer (H + 1), scale and four preprocessing constants.
        Assert.Equal(80 * 22 + 160 + 80 * 40 + 160 + 21 + 1 + 4, optimizer.Model.ParameterCount);
        Assert.Contains("LSTM x2", optimizer.Model.ToString());
        Assert.Equal(64, optimizer.Fingerprint.Length);
    }

    [Fact]
    public void PathStreamAndBytesLoadTheSameModel()
    {
        using var temp = new TempDirectory();
        var bytes = LstmModels.Bytes();
        File.WriteAllBytes(temp.File("m.onnx"), bytes);
        var options = new LearnedOptimizerOptions { IntraOpThreads = 1 };
        using var fromPath = LearnedOptimizer.Load(temp.File("m.onnx"), options);
        using var stream = new MemoryStream(bytes);
        using var fromStream = LearnedOptimizer.Load(stream, options);
        using var fromBytes = LearnedOptimizer.Load(bytes, options);
        Assert.Equal(fromBytes.Fingerprint, fromPath.Fingerprint);
        Assert.Equal(fromBytes.Fingerprint, fromStream.Fingerprint);
        Assert.Contains("no optimizer model at", Assert.Throws<FileNotFoundException>(() => LearnedOptimizer.Load(temp.File("missing.onnx"))).Message);
    }
}
