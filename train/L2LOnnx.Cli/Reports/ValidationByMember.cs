using System.Globalization;
using L2LOnnx.Train.MetaTraining;

namespace L2LOnnx.Cli.Reports;

/// <summary>
/// Prints a mixture run's validation score split by member family, for the starting weights and the best
/// ones: a mean over twelve families can hide one that gets worse, and that is the family a user meets.
/// </summary>
internal static class ValidationByMember
{
    /// <summary>
    /// One line per member: its problems' mean score at the start and for the best weights, and the change.
    /// Prints nothing when the run has neither (a resumed run keeps only the means).
    /// </summary>
    public static void Print(IReadOnlyList<string> memberOfProblem, MetaTrainingResult result, string startLabel)
    {
        var initial = result.InitialValidationScores;
        var best = result.BestValidationScores;
        if (initial is null && best is null) return;
        var names = memberOfProblem.Distinct().ToArray();
        var width = Math.Max(6, names.Max(n => n.Length));
        Console.WriteLine($"validation by member (mean over its problems; lower is better):");
        Console.WriteLine($"  {"member".PadRight(width)}  {startLabel,12}  {"best",12}  {"change",10}");
        foreach (var name in names)
        {
            var rows = Enumerable.Range(0, memberOfProblem.Count).Where(i => memberOfProblem[i] == name).ToArray();
            double? Mean(IReadOnlyList<double>? scores) => scores is null ? null : rows.Average(i => scores[i]);
            var (a, b) = (Mean(initial), Mean(best));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name.PadRight(width)}  {Show(a),12}  {Show(b),12}  {Show(b - a),10}"));
        }
    }

    private static string Show(double? value) => value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
}
