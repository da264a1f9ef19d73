namespace L2LOnnx.Runtime;

/// <summary>
/// An optimizer bound to one parameter vector of fixed length, holding that vector's optimizer state:
/// the common shape of the learned optimizer and the hand-designed baselines, so evaluation code and
/// training loops can swap one for another.
/// </summary>
public interface IVectorOptimizer : IDisposable
{
    /// <summary>Short display name with settings, e.g. <c>Adam(lr=0.1)</c>.</summary>
    string Name { get; }

    /// <summary>Number of coordinates this optimizer is bound to.</summary>
    int Length { get; }

    /// <summary>Applies one update to <paramref name="parameters"/> in place from <paramref name="gradients"/>.</summary>
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>Forgets all state, as if newly created.</summary>
    void Reset();
}
