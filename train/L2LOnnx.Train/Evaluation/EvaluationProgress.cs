using System.Globalization;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// How far an evaluation has come: <paramref name="Done"/> of <paramref name="Total"/> optimizer runs
/// (each run optimizes every problem of a task once), the last one's name, and the time so far.
/// </summary>
/// <param name="Run">The optimizer that just ran, e.g. <c>Adam(lr=0.01)</c>.</param>
/// <param name="Done">Runs finished.</param>
/// <param name="Total">Runs in the whole evaluation.</param>
/// <param name="Elapsed">Time since the evaluation started.</param>
public sealed record EvaluationProgress(string Run, int Done, int Total, TimeSpan Elapsed)
{
    /// <summary>The estimated time left, assuming the remaining runs take as long as the finished ones on average.</summary>
    public TimeSpan Remaining => Done == 0 ? TimeSpan.Zero : Elapsed / Done * (Total - Done);

    /// <summary>One line: runs done, the last run, elapsed time and ETA.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"run {Done}/{Total} ({Run})  elapsed {Clock(Elapsed)}  ETA {Clock(Remaining)}");

    private static string Clock(TimeSpan time) => $"{(int)time.TotalHours}:{time:mm\\:ss}";
}
