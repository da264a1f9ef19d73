using L2LOnnx.Train.Onnx;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>Separate optimizer networks per parameter group, in TorchSharp and through ONNX.</summary>
public sealed class GroupedOptimizerTests
{
    private static readonly IReadOnlyList<ParameterGroup> Groups = [new("conv", 0, 5), new("fc", 5, 3)];

    public GroupedOptimizerTests() => TorchModules.UseOneThread();

    [Fact]
    public void EachGroupIsSteppedByItsOwnNetwork()
    {
        using var grouped = GroupedOptimizer.PerGroup(Groups, new LstmOptimizerConfig(2, 4, 10.0, 0.1));
        using var scope = NewDisposeScope();
        var grad = randn(3, 8);
        using var state = grouped.InitialState(3, Groups);

        var (update, _) = grouped.Step(grad, zeros(3, 8), state);

        var networks = grouped.Networks.ToDictionary(n => n.Group, n => (LstmOptimizer)n.Network);
        foreach (var group in Groups)
        {
            using var alone = networks[group.Name].InitialState(3L * group.Length);
            var (expected, _) = networks[group.Name].Step(grad.narrow(1, group.Start, group.Length).reshape(-1), alone);
            Assert.True(expected.view(3, group.Length).allclose(update.narrow(1, group.Start, group.Length), rtol: 1e-6, atol: 1e-7),
                $"group {group.Name}: grouped update differs from its network's own");
        }
        Assert.NotEqual(TorchModules.Flatten(networks["conv"]), TorchModules.Flatten(networks["fc"]));
    }

    [Fact]
    public void MissingNetworkForAGroupIsAClearError()
    {
        using var grouped = GroupedOptimizer.PerGroup([new ParameterGroup("conv", 0, 5)], new LstmOptimizerConfig());
        var error = Assert.Throws<ArgumentException>(() => grouped.InitialState(2, Groups));
        Assert.Contains("fc", error.Message);
    }

    [Fact]
    public void OneOnnxFilePerGroupRunsThroughTheRuntimeAsTheTorchNetworksDo()
    {
        const int problems = 4;
        using var temp = new TempDirectory();
        using var grouped = GroupedOptimizer.PerGroup(Groups, new LstmOptimizerConfig(2, 5, 10.0, 0.1));
        var loaded = grouped.Networks.Select(n =>
        {
            var path = temp.File($"opt.{n.Group}.onnx");
            OptimizerExporter.Save(n.Network, path, new ExportMetadata { TrainedOn = "test" });
            return LearnedOptimizer.Load(path);
        }).ToArray();
        try
        {
            var bound = Groups.Select((g, i) => (IVectorOptimizer)new LearnedVectorOptimizer(loaded[i], problems * g.Length)).ToArray();
            using var onnx = new GroupedVectorOptimizer(Groups, problems, bound, "grouped");
            var onnxParameters = new float[problems * 8];
            var torchState = grouped.InitialState(problems, Groups);
            var torchParameters = zeros(problems, 8);
            var random = new Random(3);
            for (var step = 0; step < 5; step++)
            {
                var grad = Enumerable.Range(0, problems * 8).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
                onnx.Step(onnxParameters, grad);
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var (update, next) = grouped.Step(tensor(grad).view(problems, 8), torchParameters, torchState);
                torchParameters.add_(update);
                var carried = next.DetachToOuterScope();
                torchState.Dispose();
                torchState = carried;
            }
            torchState.Dispose();
            var expected = torchParameters.data<float>().ToArray();
            for (var i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], onnxParameters[i], 1e-5);
        }
        finally
        {
            foreach (var optimizer in loaded) optimizer.Dispose();
        }
    }
}
