using TorchSharp;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>
/// Weight helpers for tests. Tests run in parallel and torch's global RNG is process-wide, so tests that
/// compare two networks copy weights explicitly instead of relying on manual_seed.
/// </summary>
internal static class TorchModules
{
    /// <summary>
    /// Single-threaded libtorch for the trainer tests: their small tensors gain nothing from a second
    /// thread, and on a shared 2-core machine OpenMP workers only steal time (see TorchRuntime).
    /// </summary>
    public static void UseOneThread() => L2LOnnx.Train.TorchRuntime.Configure(1);

    /// <summary>All weights, flattened in parameter order.</summary>
    public static float[] Flatten(nn.Module module) =>
        module.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    /// <summary>
    /// Re-draws every weight of <paramref name="module"/> from U(-1/sqrt(H), 1/sqrt(H)) (PyTorch's LSTM
    /// default, H = <paramref name="hiddenSize"/>) with its own generator: a deterministic network that
    /// does not depend on the process-wide RNG other tests draw from in parallel.
    /// </summary>
    public static T Seeded<T>(T module, int hiddenSize, ulong seed) where T : nn.Module
    {
        using var generator = new Generator(seed);
        using var noGrad = no_grad();
        var bound = 1 / Math.Sqrt(hiddenSize);
        foreach (var parameter in module.parameters())
        {
            using var values = rand(parameter.shape, generator: generator).mul_(2 * bound).sub_(bound);
            parameter.copy_(values);
        }
        return module;
    }

    /// <summary>Copies every weight of <paramref name="source"/> into the same-named weight of <paramref name="target"/>.</summary>
    public static void CopyWeights(nn.Module source, nn.Module target)
    {
        using var noGrad = no_grad();
        var values = source.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in target.named_parameters()) parameter.copy_(values[name]);
    }
}
