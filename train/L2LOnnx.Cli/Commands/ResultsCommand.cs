using System.CommandLine;
using L2LOnnx.Cli.Reports;
using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l results</c>: regenerates <c>docs/results.md</c>, its figures and the model cards' results with the
/// evaluation protocol (<see cref="ResultsReport"/>); draws the figures with <see cref="BandPlot"/> and runs
/// parallel jobs as child processes (<see cref="ParallelJobs"/>).
/// </summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "folder of the shipped models and their cards (quadratic.onnx, mnist-mlp.onnx, general.onnx, *.md)", DefaultValueFactory = _ => "models" };
        var output = new Option<string>("--out") { Description = "folder for results.md (figures go to <out>/results/)", DefaultValueFactory = _ => "docs" };
        var problems = new Option<int>("--problems") { Description = "held-out problems per data family", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var quadratics = new Option<int>("--quadratic-problems") { Description = "held-out quadratics", DefaultValueFactory = _ => 100 }.AtLeast(1);
        var tuning = new Option<int>("--tuning-problems") { Description = "tuning problems per data family (quadratics: as many as held out)", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var cache = new Option<string>("--cache") { Description = "folder of cached per-task results", DefaultValueFactory = _ => "out/results-cache" };
        var jobs = new Option<int>("--jobs") { Description = "experiments computed at once, one thread each (costs are then timed one at a time)", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) }.AtLeast(1);
        var only = new Option<string[]>("--only") { Description = "compute only these experiments (slugs, e.g. quadratic general-diabetes-linear); the others come from the cache or are marked not run", AllowMultipleArgumentsPerToken = true };
        var estimate = new Option<bool>("--estimate") { Description = "print the work and the estimated run time, then stop" };
        var computeOnly = new Option<bool>("--compute-only") { Description = "only fill the cache (what the parallel jobs run); no timing, no report", Hidden = true };
        var seed = CommonOptions.Seed(2016);
        seed.Description = "seed of the tuning problems; the held-out problems use seed + 1";
        var command = new Command("results", "regenerate docs/results.md, its figures and the model cards' results with the evaluation protocol");
        foreach (var option in new Option[] { models, output, problems, quadratics, tuning, cache, jobs, only, estimate, computeOnly, seed }) command.Add(option);
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            var s = result.GetValue(seed);
            var protocol = new ProtocolSettings
            {
                Problems = result.GetValue(problems),
                QuadraticProblems = result.GetValue(quadratics),
                TuningProblems = result.GetValue(tuning),
                QuadraticTuningProblems = result.GetValue(quadratics),
                Seeds = new EvaluationSeeds(s, s + 1),
                CacheDirectory = result.GetValue(cache),
            };
            var slugs = result.GetValue(only) is { Length: > 0 } chosen ? chosen : null;
            Write(new ResultsReport.Settings(result.GetValue(models)!, result.GetValue(output)!, protocol, result.GetValue(jobs), slugs,
                EstimateOnly: result.GetValue(estimate), ComputeOnly: result.GetValue(computeOnly)));
            return 0;
        }));
        return command;
    }

    /// <summary>Writes the report, its figures (PNG and SVG) and the cards, printing progress; returns the report's path.</summary>
    public static string? Write(ResultsReport.Settings settings) =>
        RunProgress.Show("results", (progress, log) =>
            ResultsReport.Write(settings, ExperimentFiles.WriteFigures, groups => ParallelJobs.Run(settings, groups, log), log, progress));
}
