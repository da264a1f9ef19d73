using L2LOnnx.Runtime;
using L2LOnnx.TorchSharp;
using TorchSharp;
using static TorchSharp.torch;

// A small sigmoid MLP, like the paper's MNIST network, classifying points by the sign of x0 * x1.
torch.manual_seed(1);
var x = randn(512, 2);
var y = (x[.., 0] * x[.., 1] > 0).to(ScalarType.Int64);
var model = nn.Sequential(("hidden", nn.Linear(2, 20)), ("sigmoid", nn.Sigmoid()), ("output", nn.Linear(20, 2)));

// begin-snippet: loop
using var learned = ShippedModels.Load("mnist-mlp", new LearnedOptimizerOptions { IntraOpThreads = 1 });
using var optimizer = new LearnedTorchOptimizer(model.parameters(), learned);   // instead of optim.Adam(model.parameters())
var losses = new List<float>();
for (var step = 0; step < 200; step++)
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    var loss = nn.functional.cross_entropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.Add(loss.item<float>());
}
// end-snippet

using (no_grad())
{
    var accuracy = (model.forward(x).argmax(1) == y).to(ScalarType.Float32).mean().item<float>();
    Console.WriteLine($"cross-entropy {losses[0]:0.000} at step 0, {losses[^1]:0.000} at step {losses.Count - 1}; training accuracy {accuracy:P1}");
}
