using System.Globalization;
using L2LOnnx.TorchSharp;
using L2LOnnx.Runtime;
using L2LOnnx.Train;
using L2LOnnx.Train.Data;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace L2LOnnx.TorchSharp.Tests;

/// <summary>
/// The paper's MNIST experiment through the bridge: an MLP 784-20-10 (sigmoid, cross-entropy, minibatch
/// 128) trained with the shipped learned optimizer in one line of TorchSharp, against plain SGD.
/// </summary>
public sealed class MnistBridgeTests(ITestOutputHelper output)
{
    private const int Steps = 100;
    private const int Batch = 128;

    [ShippedModelFact("mnist-mlp.onnx", DataSet.Mnist)]
    public void TheShippedOptimizerTrainsAnMlpBelowSgd()
    {
        // One thread each for libtorch and ONNX Runtime: their spinning pools fight over 2 cores otherwise (4x slower here).
        TorchRuntime.Configure(1);
        var data = DataSets.Mnist().Shuffled(seed: 2016);
        using var images = tensor(data.Pixels, data.Count, data.ImageSize);
        using var labels = tensor(data.Labels.Select(l => (long)l).ToArray());

        var learned = Train(images, labels, parameters => new LearnedTorchOptimizer(parameters, ShippedModels.PathOf("mnist-mlp.onnx"), new LearnedOptimizerOptions { IntraOpThreads = 1 }));
        var sgd = new[] { 0.3, 1.0, 3.0 }.Select(lr => (Lr: lr, Loss: Train(images, labels, parameters => optim.SGD(parameters, lr)))).ToList();
        var best = sgd.MinBy(s => s.Loss);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loss over the last 10 of {Steps} steps: learned {learned:0.000}; SGD {string.Join(", ", sgd.Select(s => $"lr {s.Lr}: {s.Loss:0.000}"))}"));
        Assert.True(learned < best.Loss, $"learned {learned:0.000} is not below the best SGD (lr {best.Lr}) {best.Loss:0.000}");
    }

    /// <summary>Trains a fresh MLP (same initialisation and minibatches for every optimizer); returns the mean loss of the last 10 steps.</summary>
    private static double Train(Tensor images, Tensor labels, Func<IEnumerable<global::TorchSharp.Modules.Parameter>, optim.Optimizer> create)
    {
        random.manual_seed(1);
        using var mlp = nn.Sequential(("hidden", nn.Linear(784, 20)), ("sigmoid", nn.Sigmoid()), ("out", nn.Linear(20, 10)));
        using var optimizer = create(mlp.parameters());
        using var batches = new Generator(7);
        var losses = new List<double>();
        for (var step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            var index = randint(images.shape[0], new long[] { Batch }, generator: batches);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(mlp.forward(images.index_select(0, index)), labels.index_select(0, index));
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        return losses.TakeLast(10).Average();
    }
}
