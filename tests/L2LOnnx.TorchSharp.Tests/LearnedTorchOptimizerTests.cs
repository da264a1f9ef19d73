using L2LOnnx.Train.Onnx;
using L2LOnnx.TorchSharp;
using L2LOnnx.Runtime;
using L2LOnnx.Train.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace L2LOnnx.TorchSharp.Tests;

/// <summary>The torch.optim-style bridge steps a module's parameters exactly as the runtime steps vectors.</summary>
public sealed class LearnedTorchOptimizerTests
{
    [Fact]
    public void StepsMatchTheRuntimeBitForBit()
    {
        using var temp = new TempDirectory();
        var model = Export(temp);
        random.manual_seed(17);
        using var module = Mlp();
        using var input = randn(8, 4);
        using var target = randn(8, 2);
        var named = module.named_parameters().ToArray();
        var reference = named.Select(p => p.parameter.detach().clone().data<float>().ToArray()).ToArray();

        using var runtime = LearnedOptimizer.Load(model);
        using var state = runtime.CreateState(named.Select(p => (p.name, (int)p.parameter.numel())).ToArray());
        using (var optimizer = new LearnedTorchOptimizer(module.named_parameters(), model))
        {
            for (var step = 0; step < 3; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.mse_loss(module.forward(input), target).backward();
                var grads = named.Select(p => p.parameter.grad!.data<float>().ToArray()).ToArray();
                optimizer.step();
                runtime.Step(reference, grads, state);
                for (var i = 0; i < named.Length; i++)
                    Assert.Equal(Bits(reference[i]), Bits(named[i].parameter.data<float>().ToArray()));
            }
            Assert.Equal(3, optimizer.Steps);
            Assert.Equal(named.Select(p => p.name), Assert.Single(optimizer.States).Segments.Select(s => s.Name));
        }
    }

    [Fact]
    public void AParameterWithoutGradientKeepsItsValue()
    {
        using var temp = new TempDirectory();
        var model = Export(temp);
        random.manual_seed(3);
        using var used = nn.Linear(2, 2);
        using var unused = nn.Linear(2, 1);
        var usedBefore = used.weight!.data<float>().ToArray();
        var unusedBefore = unused.weight!.data<float>().ToArray();
        using var optimizer = new LearnedTorchOptimizer(used.parameters().Concat(unused.parameters()), model);

        used.forward(ones(3, 2)).sum().backward();
        optimizer.step();
        optimizer.zero_grad();

        Assert.NotEqual(usedBefore, used.weight!.data<float>().ToArray());
        Assert.Equal(unusedBefore, unused.weight!.data<float>().ToArray());
        Assert.All(used.parameters(), p => Assert.All(p.grad!.data<float>().ToArray(), g => Assert.Equal(0f, g)));
    }

    [Fact]
    public void ACheckpointResumesExactlyAndIsTheRuntimesFormat()
    {
        using var temp = new TempDirectory();
        var model = Export(temp);
        var checkpoint = temp.File("optimizer.l2lstate");
        random.manual_seed(23);
        using var module = Mlp();
        using var input = randn(8, 4);
        using var target = randn(8, 2);
        float[][] atCheckpoint;
        float[][] uninterrupted;
        using (var optimizer = new LearnedTorchOptimizer(module.named_parameters(), model))
        {
            Train(module, optimizer, input, target, steps: 3);
            optimizer.save_state_dict(checkpoint);
            atCheckpoint = module.parameters().Select(p => p.data<float>().ToArray()).ToArray();
            Train(module, optimizer, input, target, steps: 2);
            uninterrupted = module.parameters().Select(p => p.data<float>().ToArray()).ToArray();
        }

        using var resumed = Mlp();
        using (no_grad())
            foreach (var (parameter, values) in resumed.parameters().Zip(atCheckpoint))
                parameter.copy_(tensor(values, parameter.shape));
        using (var optimizer = new LearnedTorchOptimizer(resumed.named_parameters(), model))
        {
            optimizer.load_state_dict(checkpoint);
            Assert.Equal(3, optimizer.Steps);
            Train(resumed, optimizer, input, target, steps: 2);
        }

        Assert.Equal(uninterrupted.Select(Bits), resumed.parameters().Select(p => Bits(p.data<float>().ToArray())));
        using var runtime = LearnedOptimizer.Load(model);
        using var state = runtime.CreateState(module.named_parameters().Select(p => (p.name, (int)p.parameter.numel())).ToArray());
        state.Load(checkpoint);
        Assert.Equal(3, state.Steps);
    }

    [Fact]
    public void ACheckpointOfAnotherModelIsRefused()
    {
        using var temp = new TempDirectory();
        var model = Export(temp);
        var other = Export(temp, scale: 0.2, name: "other.onnx");
        var checkpoint = temp.File("optimizer.l2lstate");
        random.manual_seed(23);
        using var module = Mlp();
        using (var optimizer = new LearnedTorchOptimizer(module.named_parameters(), model))
            optimizer.save_state_dict(checkpoint);

        using var otherOptimizer = new LearnedTorchOptimizer(module.named_parameters(), other);
        var error = Assert.Throws<InvalidDataException>(() => otherOptimizer.load_state_dict(checkpoint));

        Assert.Contains("another model", error.Message);
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

    private static nn.Module<Tensor, Tensor> Mlp() => nn.Sequential(("hidden", nn.Linear(4, 3)), ("tanh", nn.Tanh()), ("out", nn.Linear(3, 2)));

    private static void Train(nn.Module<Tensor, Tensor> module, LearnedTorchOptimizer optimizer, Tensor input, Tensor target, int steps)
    {
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.mse_loss(module.forward(input), target).backward();
            optimizer.step();
        }
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
