using L2LOnnx.MLNet;

namespace L2LOnnx.MLNet.Tests;

/// <summary>
/// <see cref="Network.FoldInputShift"/>: a network trained on centred features, folded, computes the same
/// logits from the raw features, with and without a hidden layer.
/// </summary>
public sealed class NetworkFoldTests
{
    [Theory]
    [InlineData(0, HiddenActivation.Relu)]
    [InlineData(5, HiddenActivation.Relu)]
    [InlineData(5, HiddenActivation.Tanh)]
    public void AFoldedShiftGivesTheSameLogitsOnTheRawFeatures(int hidden, HiddenActivation activation)
    {
        const int inputs = 7, outputs = 3, batch = 4;
        var random = new Random(11);
        var network = new Network(inputs, hidden, outputs, activation, batch);
        var theta = Enumerable.Range(0, network.ParameterCount).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var mean = Enumerable.Range(0, inputs).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray();
        var raw = Enumerable.Range(0, inputs * batch).Select(_ => (float)(random.NextDouble() * 10)).ToArray();
        var centred = raw.Select((x, i) => x - mean[i % inputs]).ToArray();

        var expected = new float[outputs * batch];
        network.Forward(theta, centred, batch, expected);
        var folded = (float[])theta.Clone();
        network.FoldInputShift(folded, mean);
        var actual = new float[outputs * batch];
        network.Forward(folded, raw, batch, actual);

        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"logit {i}: {expected[i]} centred, {actual[i]} folded");
        Assert.NotEqual(theta, folded);
    }
}
