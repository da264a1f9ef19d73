using L2LOnnx.Train.Optimizers;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Conformance;

/// <summary>Replays conformance vectors on a TorchSharp <see cref="LstmOptimizer"/> (e.g. one imported from the model).</summary>
/// <param name="network">The network; not disposed by this engine.</param>
public sealed class TorchSharpConformanceEngine(LstmOptimizer network) : IConformanceEngine
{
    private LstmOptimizerState? state;
    private readonly Dictionary<string, float[]> values = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public string Name => $"TorchSharp {typeof(Tensor).Assembly.GetName().Version?.ToString(3)} (LstmOptimizer)";

    /// <inheritdoc />
    public void Reset(int coordinates)
    {
        state?.Dispose();
        state = network.InitialState(coordinates);
        values.Clear();
    }

    /// <inheritdoc />
    public void Step(ReadOnlySpan<float> grad, Span<float> update)
    {
        var current = state ?? throw new InvalidOperationException("call Reset before stepping");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (result, next) = network.Step(tensor(grad.ToArray()), current);
        result.data<float>().CopyTo(update);
        values.Clear();
        // contiguous(): the trainer may keep states as transposed views of feature-major storage.
        for (var layer = 0; layer < next.Layers.Count; layer++)
        {
            values[LstmStateNames.Of(layer, "h")] = next.Layers[layer].H.contiguous().data<float>().ToArray();
            values[LstmStateNames.Of(layer, "c")] = next.Layers[layer].C.contiguous().data<float>().ToArray();
        }
        state = next.DetachToOuterScope();
        current.Dispose();
    }

    /// <inheritdoc />
    public ReadOnlySpan<float> State(string name) =>
        values.TryGetValue(name, out var value)
            ? value
            : throw new ArgumentException($"the network has no state '{name}' (or has not stepped yet); it has {string.Join(", ", values.Keys)}", nameof(name));

    /// <inheritdoc />
    public void Dispose() => state?.Dispose();
}
