using System.CommandLine;
using L2LOnnx.Cli.Reports;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l evaluate</c>: runs an exported optimizer through the runtime on held-out problems next to
/// baselines tuned on training-distribution problems (<see cref="OptimizerComparison"/>), with progress;
/// prints a table, writes long-format CSV and PNG/SVG plots of the mean and median loss curves.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>What to evaluate, where, and how long.</summary>
    public sealed record Settings(
        IReadOnlyList<string> Models,
        ProblemSpec Problem,
        int Problems,
        int Steps,
        string Output,
        int Seed,
        int Threads);

    /// <summary>Steps at which the summary table reports the mean loss (the last is the horizon).</summary>
    private static int[] TableSteps(int steps) => [0, steps / 4, steps / 2, steps];

    public static Command Create()
    {
        var model = new Option<string[]>("--model")
        {
            Description = "contract-v1 ONNX optimizer: one file for all parameters, or group=file per parameter group (e.g. --model conv=a.conv.onnx --model fc=a.fc.onnx)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var problem = new CommonOptions.ProblemOptions();
        var problems = new Option<int?>("--problems") { Description = "held-out problems (and as many tuning problems); default 100 for quadratics, 20 otherwise" }.AtLeast(1);
        var steps = new Option<int>("--steps") { Description = "optimizee steps", DefaultValueFactory = _ => 100 }.AtLeast(1);
        var output = new Option<string>("--out") { Description = "folder for curves.csv and the loss-curve plots", DefaultValueFactory = _ => "out/evaluation" };
        var seed = CommonOptions.Seed(2016);
        var threads = CommonOptions.Threads();
        var command = new Command("evaluate", "compare a learned optimizer with tuned SGD, NAG, RMSprop and Adam on held-out problems");
        command.Add(model);
        foreach (var option in problem.All) command.Add(option);
        foreach (var option in new Option[] { problems, steps, output, seed, threads }) command.Add(option);
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            var spec = problem.Read(result);
            Run(new Settings(result.GetValue(model)!, spec, result.GetValue(problems) ?? (spec.Kind == ProblemKind.Quadratic ? 100 : 20),
                result.GetValue(steps), result.GetValue(output)!, result.GetValue(seed), result.GetValue(threads)));
            return 0;
        }));
        return command;
    }

    /// <summary>Evaluates and reports; returns the curves, the learned optimizer's first.</summary>
    public static IReadOnlyList<LossCurves> Run(Settings s)
    {
        var (name, curves, _) = RunProgress.Show("evaluate", (progress, log) =>
            OptimizerComparison.Run(s.Models, s.Problem, s.Problems, s.Steps, s.Seed, s.Threads, started: log, progress));
        LossReport.PrintTable($"{name}: loss on {s.Problems} held-out problems", curves, TableSteps(s.Steps));
        var csv = Path.Combine(s.Output, "curves.csv");
        LossCurvesCsv.Write(csv, curves);
        var mean = LossPlot.Write(Path.Combine(s.Output, "loss-curves.png"), $"{name}: mean loss on {s.Problems} held-out problems", curves, LossPlot.Statistic.Mean);
        var median = LossPlot.Write(Path.Combine(s.Output, "loss-curves-median.png"), $"{name}: median loss on {s.Problems} held-out problems", curves, LossPlot.Statistic.Median);
        Console.WriteLine($"wrote {csv} (long format: step, optimizer, statistic, value), {mean.Png}, {median.Png} and their .svg twins");
        return curves;
    }
}
