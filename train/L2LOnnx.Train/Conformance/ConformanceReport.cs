using System.Globalization;

namespace L2LOnnx.Train.Conformance;

/// <summary>The outcome of replaying conformance vectors on one engine.</summary>
/// <param name="Engine">The engine's name.</param>
/// <param name="Difference">The largest relative difference over every recorded value.</param>
/// <param name="Step">The 1-based step where it occurred.</param>
/// <param name="Value">Which value: <c>update</c> or a state name.</param>
/// <param name="Index">The index within that value.</param>
/// <param name="Expected">The recorded value there.</param>
/// <param name="Actual">The engine's value there.</param>
/// <param name="Tolerance">The tolerance it is judged against.</param>
public sealed record ConformanceReport(string Engine, double Difference, int Step, string Value, int Index, float Expected, float Actual, double Tolerance)
{
    /// <summary>Why the engine did not run the vectors (it cannot run this model), or null when it did.</summary>
    public string? NotRun { get; init; }

    /// <summary>Whether the engine reproduced the vectors within the tolerance (an engine that cannot run the model does not fail).</summary>
    public bool Passed => NotRun is not null || Difference <= Tolerance;

    /// <summary>The report for an engine that cannot run the model.</summary>
    public static ConformanceReport Skipped(string engine, string reason, double tolerance) =>
        new(engine, 0, 0, "", 0, 0, 0, tolerance) { NotRun = reason };

    /// <summary>One line for people, e.g. <c>ONNX Runtime: largest difference 1.2E-007 (step 3, update[17]) ... ok</c>.</summary>
    public override string ToString() => NotRun is not null
        ? $"{Engine}: not run: {NotRun}"
        : Difference == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Engine}: every value identical to the recorded ones; tolerance {Tolerance:E0}: ok")
        : string.Create(CultureInfo.InvariantCulture,
            $"{Engine}: largest difference {Difference:E2} at step {Step}, {Value}[{Index}] (expected {Expected:R}, got {Actual:R}); tolerance {Tolerance:E0}: {(Passed ? "ok" : "FAILED")}");
}
