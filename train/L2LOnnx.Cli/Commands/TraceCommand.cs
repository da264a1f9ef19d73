using System.CommandLine;
using System.Globalization;
using L2LOnnx.Train;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Inspection;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l trace</c>: one learned optimizer on a few held-out problems for many steps, with the loss, the
/// parameter and update norms, how unevenly the parameters drift, and the learned log step
/// (<see cref="UpdateTrace"/>): why a model degrades past its horizon, not whether (that is <c>l2l evaluate</c>).
/// </summary>
internal static class TraceCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "contract-v1 ONNX optimizer file", Required = true };
        var problem = new CommonOptions.ProblemOptions();
        var problems = new Option<int>("--problems") { Description = "held-out problems run side by side, drawn as l2l evaluate draws them", DefaultValueFactory = _ => 4 }.AtLeast(1);
        var steps = new Option<int>("--steps") { Description = "steps to run", DefaultValueFactory = _ => 1000 }.AtLeast(1);
        var every = new Option<int>("--every") { Description = "print a row every this many steps", DefaultValueFactory = _ => 100 }.AtLeast(1);
        var seed = CommonOptions.Seed(2017);
        seed.Description = "seed of the problems (2017: the protocol's held-out problems)";
        var threads = new Option<int>("--threads") { Description = "threads of the engine and TorchSharp", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var command = new Command("trace", "run a learned optimizer on a few held-out problems and print, every so many steps, the loss, parameter and update norms, how unevenly the parameters drift and where a learned log step sits");
        command.Add(model);
        foreach (var option in problem.All) command.Add(option);
        foreach (var option in new Option[] { problems, steps, every, seed, threads }) command.Add(option);
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            var spec = problem.Read(result);
            if (spec.Kind is Train.Problems.ProblemKind.General)
                throw new ArgumentException("the general mixture is a meta-training distribution: trace one of its held-out families (docs/general.md)");
            TorchRuntime.Configure(result.GetValue(threads));
            // The protocol's own draw (quadratics included), under the standard definition; the tuning problem it also draws is unused.
            var evaluationSeed = result.GetValue(seed);
            using var heldOut = HeldOutProblems.Create(spec, HeldOutDefinition.FreshSeeds, result.GetValue(problems), tuningProblems: 1, new EvaluationSeeds(evaluationSeed - 1, evaluationSeed));
            var task = heldOut.Evaluation;
            var file = result.GetValue(model)!;
            Console.WriteLine($"trace of {Path.GetFileName(file)} on {task.ProblemCount} x {task.Name} ({task.Dimension:N0} parameters each), seed {result.GetValue(seed)}");
            Console.WriteLine($"{"step",6} {"loss",9} {"|theta|",9} {"|update|",9} {"|drift|",9} {"top 5 %",8}   learned log step: {"mean",6} {"at floor",8} {"at ceiling",10} {"their drift",11}");
            UpdateTrace.Run(file, task, result.GetValue(steps), result.GetValue(every), result.GetValue(threads), row => Console.WriteLine(Format(row)));
            Console.WriteLine("top 5 %: share of the squared drift |theta - theta_0|^2 held by the 5 % of coordinates that moved farthest (0.05 = even)");
            return 0;
        }));
        return command;
    }

    private static string Format(TraceRow row)
    {
        static string P(double share) => share.ToString("P1", CultureInfo.InvariantCulture);
        var head = string.Create(CultureInfo.InvariantCulture, $"{row.Step,6} {row.MeanLoss,9:G4} {row.ParameterNorm,9:G4} {row.UpdateNorm,9:G3} {row.DriftNorm,9:G4} {P(row.TopDriftShare),8}");
        return row.LogStep is { } l
            ? head + string.Create(CultureInfo.InvariantCulture, $"                     {l.Mean,6:F2} {P(l.AtFloor),8} {P(l.AtCeiling),10} {P(l.CeilingDriftShare),11}")
            : head + "                     (none)";
    }
}
