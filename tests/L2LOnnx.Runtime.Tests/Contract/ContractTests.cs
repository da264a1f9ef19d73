using L2LOnnx.Runtime;
using Onnx;

namespace L2LOnnx.Runtime.Tests.Contract;

/// <summary>Contract v1 as the runtime enforces it, on files our exporter did not write.</summary>
public sealed class ContractTests
{
    [Fact]
    public void HandBuiltModelRunsWithExpectedNumbers()
    {
        using var optimizer = LearnedOptimizer.Load(new HandBuiltModel().ToBytes());
        Assert.False(optimizer.Contract.HasParamInput);
        Assert.Equal(new[] { new StateSpec("state_count", 1) }, optimizer.Contract.States);

        float[] parameters = { 1f, -2f, 0.5f };
        float[][] gradients = { new[] { 1f, 0f, -4f }, new[] { 2f, 10f, 0.25f }, new[] { -1f, 1f, 3f } };
        using var state = optimizer.CreateState(parameters.Length);
        foreach (var gradient in gradients) optimizer.Step(parameters, gradient, state);

        var expected = new[] { 1f - 0.1f * 2f, -2f - 0.1f * 11f, 0.5f - 0.1f * -0.75f };
        for (var i = 0; i < parameters.Length; i++) Assert.Equal(expected[i], parameters[i], 5);
        Assert.Equal(new[] { 3f, 3f, 3f }, state.Read("state_count").ToArray());
        Assert.Equal(3, state.Steps);
    }

    [Fact]
    public void MissingGradIsRefusedByName()
    {
        var error = Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(new HandBuiltModel { GradName = "gradient" }.ToBytes()));
        Assert.Contains("'grad' is missing", error.Message);
    }

    [Fact]
    public void StateWithoutOutputIsRefusedByName()
    {
        var error = Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(new HandBuiltModel { StateHasOutput = false }.ToBytes()));
        Assert.Contains("'state_count' has no output 'state_count_out'", error.Message);
    }

    [Fact]
    public void WrongElementTypeIsRefusedByName()
    {
        var error = Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(new HandBuiltModel { GradType = TensorProto.Types.DataType.Double }.ToBytes()));
        Assert.Contains("'grad'", error.Message);
        Assert.Contains("double", error.Message);
        Assert.Contains("float32", error.Message);
    }

    [Fact]
    public void AbsentFormatMetadataIsRefused()
    {
        var error = Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(new HandBuiltModel { WithFormatMetadata = false }.ToBytes()));
        Assert.Contains("'l2l.format' is absent", error.Message);
    }

    [Fact]
    public void OtherFormatVersionIsRefused()
    {
        var error = Assert.Throws<ContractViolationException>(() => LearnedOptimizer.Load(new HandBuiltModel { FormatVersion = "2" }.ToBytes()));
        Assert.Contains("version 1 only", error.Message);
    }
}
