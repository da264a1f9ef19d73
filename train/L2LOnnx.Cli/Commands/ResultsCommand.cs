using System.CommandLine;
using L2LOnnx.Cli.Reports;
using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l results</c>: regenerates <c>results.md</c> and its figures from the shipped models
/// (<see cref="ResultsReport"/>), drawing the figures with <see cref="LossPlot"/>.
/// </summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "folder of the shipped models (quadratic.onnx, mnist-mlp.onnx, general.onnx)", DefaultValueFactory = _ => "models" };
        var output = new Option<string>("--out") { Description = "folder for results.md (figures go to <out>/results/)", DefaultValueFactory = _ => "docs" };
        var problems = new Option<int>("--problems") { Description = $"held-out problems per experiment, and as many tuning problems (quadratics: {ResultsReport.QuadraticProblemFactor}x)", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var steps = new Option<int?>("--steps") { Description = "optimizee steps of every experiment (default: each experiment's own, 100 or 200)" }.AtLeast(1);
        var seed = CommonOptions.Seed(2016);
        var threads = CommonOptions.Threads();
        var command = new Command("results", "regenerate results.md and its figures: every shipped model against tuned SGD, NAG, RMSprop and Adam");
        foreach (var option in new Option[] { models, output, problems, steps, seed, threads }) command.Add(option);
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            Write(new ResultsReport.Settings(result.GetValue(models)!, result.GetValue(output)!, result.GetValue(problems), result.GetValue(steps),
                result.GetValue(seed), result.GetValue(threads)));
            return 0;
        }));
        return command;
    }

    /// <summary>Writes the report, its figures as PNG and SVG, and prints what it does, with progress; returns the report's path.</summary>
    public static string Write(ResultsReport.Settings settings) =>
        RunProgress.Show("results", (progress, log) => ResultsReport.Write(settings,
            (path, title, comparison) => LossPlot.Write(path, title, comparison.Curves, LossPlot.Statistic.Mean),
            log, progress));
}
