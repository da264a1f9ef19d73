using L2LOnnx.Interop.Onnx;
using L2LOnnx.Interop.Torch;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace L2LOnnx.Tests.Interop;

/// <summary>The torch.optim-style bridge steps a module's parameters exactly as the runtime steps vectors.</summary>
public sealed class LearnedTorchOptimizerTests
{
    [Fact]
    public void StepsMatchTheRuntimeBitForBit()
    {
        using var temp = new TempDirectory();
        var model = Export(temp);
        random.manual_seed(17);
        using var module = nn.Sequential(("hidden", nn.Linear(4, 3)), ("tanh", nn.Tanh()), ("out", nn.Linear(3, 2)));
        using var input = randn(8, 4);
        using var target = randn(8, 2);
        var parameters = module.parameters().ToArray();
        var reference = parameters.Select(p => p.detach().clone().data<float>().ToArray()).ToArray();

        using var runtime = LearnedOptimizer.Load(model);
        var states = reference.Select(r => runtime.CreateState(r.Length)).ToArray();
        using (var optimizer = new LearnedTorchOptimizer(module.parameters(), model))
        {
            for (var step = 0; step < 3; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.mse_loss(module.forward(input), target).backward();
                var grads = parameters.Select(p => p.grad!.data<float>().ToArray()).ToArray();
                optimizer.step();
                for (var i = 0; i < parameters.Length; i++)
                {
                    runtime.Step(reference[i], grads[i], states[i]);
                    Assert.Equal(Bits(reference[i]), Bits(parameters[i].data<float>().ToArray()));
                }
            }
            Assert.Equal(3, optimizer.Steps);
            Assert.All(optimizer.States, s => Assert.Equal(3, s.Steps));
        }
        foreach (var state in states) state.Dispose();
    }

    [Fact]
    public void ZeroGradClearsGradientsAndParametersWithoutOneAreSkipped()
    {
        using var temp = new TempDirectory();
        var model = Export(temp);
        random.manual_seed(3);
        using var used = nn.Linear(2, 2);
        using var unused = nn.Linear(2, 1);
        var unusedBefore = unused.weight!.data<float>().ToArray();
        using var optimizer = new LearnedTorchOptimizer(used.parameters().Concat(unused.parameters()), model);

        used.forward(ones(3, 2)).sum().backward();
        optimizer.step();
        optimizer.zero_grad();

        Assert.All(used.parameters(), p => Assert.All(p.grad!.data<float>().ToArray(), g => Assert.Equal(0f, g)));
        Assert.Equal(unusedBefore, unused.weight!.data<float>().ToArray());
        Assert.Equal(new long[] { 1, 1, 0, 0 }, optimizer.States.Select(s => s.Steps));
    }

    [Fact]
    public void ParametersTheRuntimeCannotStepAreRefused()
    {
        using var temp = new TempDirectory();
        var model = Export(temp);
        using var doubles = nn.Linear(2, 2).to(ScalarType.Float64);
        using var floats = nn.Linear(2, 2);

        var error = Assert.Throws<ArgumentException>(() => new LearnedTorchOptimizer(doubles.parameters(), model));
        Assert.Contains("float32", error.Message);

        error = Assert.Throws<ArgumentException>(() => new LearnedTorchOptimizer(floats.parameters().Concat(floats.parameters()), model));
        Assert.Contains("more than once", error.Message);
    }

    [Fact]
    public void EachGroupIsDrivenByItsOwnOptimizer()
    {
        using var temp = new TempDirectory();
        var slow = Export(temp, scale: 0.001, name: "slow.onnx");
        var fast = Export(temp, scale: 1.0, name: "fast.onnx");
        random.manual_seed(5);
        using var first = nn.Linear(3, 3);
        using var second = nn.Linear(3, 3);
        using var slowOptimizer = LearnedOptimizer.Load(slow);
        using var fastOptimizer = LearnedOptimizer.Load(fast);
        var before = (First: first.weight!.data<float>().ToArray(), Second: second.weight!.data<float>().ToArray());
        using var optimizer = new LearnedTorchOptimizer(new[]
        {
            new LearnedParamGroup(first.parameters(), slowOptimizer),
            new LearnedParamGroup(second.parameters(), fastOptimizer),
        });

        second.forward(first.forward(ones(4, 3))).square().sum().backward();
        optimizer.step();

        var moved = (First: MaxChange(before.First, first.weight!), Second: MaxChange(before.Second, second.weight!));
        Assert.True(moved.Second > 100 * moved.First, $"largest change: slow group {moved.First}, fast group {moved.Second}");
    }

    private static string Export(TempDirectory temp, double scale = 0.1, string name = "optimizer.onnx")
    {
        random.manual_seed(29);
        using var network = new LstmOptimizer(new LstmOptimizerConfig(2, 8, 10.0, scale));
        var path = temp.File(name);
        LstmOptimizerExporter.Save(network, path, new ExportMetadata { TrainedOn = "test" });
        return path;
    }

    private static double MaxChange(float[] before, Tensor after) =>
        before.Zip(after.data<float>().ToArray(), (a, b) => Math.Abs(a - b)).Max();

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
