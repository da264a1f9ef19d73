namespace L2LOnnx.Runtime.Engines;

/// <summary>Computes one optimizer step for a whole <see cref="OptimizerState"/>.</summary>
internal interface IStepEngine : IDisposable
{
    /// <summary>How the engine wants states laid out in memory.</summary>
    StateLayout Layout { get; }

    /// <summary>
    /// Computes <see cref="OptimizerState.Update"/> from <see cref="OptimizerState.Gradient"/> (and
    /// <see cref="OptimizerState.Parameters"/>) and advances the state. Coordinates whose gradient is
    /// not finite get a zero update and keep their state (the caller has already refused the step when
    /// the policy says so). The state is in <see cref="Layout"/>. Allocates nothing after the first
    /// call for a state.
    /// </summary>
    /// <param name="state">The state to step.</param>
    /// <param name="hasNonFinite">Whether some gradient is not finite.</param>
    /// <param name="checkOutputs">Refuse the step if the update or the next state holds a NaN or an
    /// infinity. Only for a double-buffered <see cref="Layout"/>, where refusing is not swapping.</param>
    /// <returns>False when the step was refused: the current state is untouched (the refused next
    /// state is left in the back buffers, the update in <see cref="OptimizerState.Update"/>).</returns>
    bool Step(OptimizerState state, bool hasNonFinite, bool checkOutputs);
}
