namespace L2LOnnx.Train.Conformance;

/// <summary>
/// An implementation of a model's optimizer step that conformance vectors can be replayed on: an engine
/// of the runtime, or the TorchSharp network imported from the model.
/// </summary>
public interface IConformanceEngine : IDisposable
{
    /// <summary>What runs the step, for reports, e.g. <c>ONNX Runtime (OrtEngine)</c>.</summary>
    string Name { get; }

    /// <summary>Starts over from the all-zero state for <paramref name="coordinates"/> coordinates.</summary>
    void Reset(int coordinates);

    /// <summary>One step: the update for <paramref name="grad"/>; the state advances.</summary>
    void Step(ReadOnlySpan<float> grad, Span<float> update);

    /// <summary>The current value of state <paramref name="name"/> (e.g. <c>state_lstm0_h</c>), [N * S] row-major.</summary>
    ReadOnlySpan<float> State(string name);
}
