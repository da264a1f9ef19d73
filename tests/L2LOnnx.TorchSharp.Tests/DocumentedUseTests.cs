using L2LOnnx.Runtime;
using L2LOnnx.TorchSharp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace L2LOnnx.TorchSharp.Tests;

/// <summary>
/// The C# of docs/interop.md's TorchSharp bridge section (scripts/snippets.py copies the regions below
/// into it), run on a small MLP with the shipped optimizers.
/// </summary>
public sealed class DocumentedUseTests
{
    [ShippedModelFact("mnist-mlp.onnx")]
    public void TheDocumentedLoopTrains_AndItsStateSavesAndLoads()
    {
        using var temp = new TempDirectory();
        var modelPath = RepositoryModels.PathOf("mnist-mlp.onnx");
        var statePath = temp.File("optimizer.l2lstate");
        random.manual_seed(5);
        using var model = nn.Sequential(("hidden", nn.Linear(4, 20)), ("sigmoid", nn.Sigmoid()), ("output", nn.Linear(20, 4)));
        using var x = randn(64, 4);
        using var y = x.argmax(1);
        float First() { using var _ = no_grad(); return nn.functional.cross_entropy(model.forward(x), y).item<float>(); }
        var before = First();

        // begin-snippet: bridge-loop
        using var optimizer = new LearnedTorchOptimizer(model.parameters(), modelPath,
            new LearnedOptimizerOptions { IntraOpThreads = 1 });   // instead of optim.Adam(model.parameters(), 1e-3)
        for (var step = 0; step < 100; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
        }
        // end-snippet

        Assert.True(First() < before / 2, $"cross-entropy {before} -> {First()}");

        // begin-snippet: bridge-state
        optimizer.save_state_dict(statePath);     // = optimizer.States[0].Save(...)
        // later, with the same model file and parameters:
        optimizer.load_state_dict(statePath);     // step count and LSTM states restored
        // end-snippet
        Assert.Equal(100, optimizer.States[0].Steps);
    }

    [ShippedModelFact("mnist-mlp.onnx")]
    public void EachGroupFollowsItsOwnOptimizer()
    {
        using var convLayer = nn.Linear(3, 3);
        using var fcLayer = nn.Linear(3, 1);
        var convParameters = convLayer.parameters();
        var fcParameters = fcLayer.parameters();
        var convPath = RepositoryModels.PathOf("mnist-mlp.onnx");
        var fcPath = RepositoryModels.PathOf("general.onnx");

        // begin-snippet: bridge-groups
        using var conv = LearnedOptimizer.Load(convPath);     // e.g. out/cifar.conv.onnx from SaveGroups
        using var fc = LearnedOptimizer.Load(fcPath);
        using var optimizer = new LearnedTorchOptimizer(new[]
        {
            new LearnedParamGroup(convParameters, conv),
            new LearnedParamGroup(fcParameters, fc),
        });
        // end-snippet

        fcLayer.forward(convLayer.forward(ones(2, 3))).sum().backward();
        optimizer.step();
        Assert.Equal([conv.Fingerprint, fc.Fingerprint], optimizer.States.Select(s => s.ModelFingerprint));
        Assert.All(optimizer.States, s => Assert.Equal(1, s.Steps));
    }
}
