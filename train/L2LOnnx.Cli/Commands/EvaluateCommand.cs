using System.CommandLine;
using System.Text;
using L2LOnnx.Cli.Reports;
using L2LOnnx.Runtime;
using L2LOnnx.Train;
using L2LOnnx.Train.Evaluation;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l evaluate</c>: the evaluation protocol (<see cref="ProtocolRunner"/>) on one model and one
/// problem family: prints the table of every horizon, writes results.md, curves.csv and the figures.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>What to evaluate, where, and how long.</summary>
    public sealed record Settings(
        IReadOnlyList<string> Models,
        ProblemSpec Problem,
        HeldOutDefinition Definition,
        int? Problems,
        int? TuningProblems,
        IReadOnlyList<int>? Horizons,
        int? Horizon,
        string Output,
        int Seed,
        int Threads,
        string? Cache);

    public static Command Create()
    {
        var model = new Option<string[]>("--model")
        {
            Description = "contract-v1 ONNX optimizer: one file for all parameters, or group=file per parameter group (e.g. --model conv=a.conv.onnx --model fc=a.fc.onnx)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var problem = new CommonOptions.ProblemOptions();
        var definition = new Option<string>("--held-out")
        {
            Description = "what held-out means: fresh-seeds (new initialisations and minibatch orders on the training data, also scored on the test split) or held-out-data (train on the held-out data itself, the older definition)",
            DefaultValueFactory = _ => "fresh-seeds",
        }.AcceptOnlyFromAmong("fresh-seeds", "held-out-data");
        var problems = new Option<int?>("--problems") { Description = "held-out problems; default 100 for quadratics, 20 otherwise" }.AtLeast(1);
        var tuningProblems = new Option<int?>("--tuning-problems") { Description = "problems the baselines are tuned on (other seed); default 100 for quadratics, 10 otherwise" }.AtLeast(1);
        var horizon = new Option<int?>("--horizon") { Description = "the meta-training horizon T when the model's metadata does not say it; the protocol judges at T and 10T" }.AtLeast(1);
        var horizons = new Option<string?>("--horizons", "--steps") { Description = "judge at exactly these steps instead of T and 10T, comma-separated (e.g. 100 or 100,200,1000)" };
        var output = new Option<string>("--out") { Description = "folder for results.md, curves.csv and the figures", DefaultValueFactory = _ => "out/evaluation" };
        var cache = new Option<string?>("--cache") { Description = "folder of cached per-task results to reuse (e.g. out/results-cache); default: none" };
        var seed = CommonOptions.Seed(2016);
        seed.Description = "seed of the tuning problems; the held-out problems use seed + 1";
        var threads = new Option<int>("--threads") { Description = "threads of the learned optimizer's engine and TorchSharp (0 = all cores)", DefaultValueFactory = _ => 1 }.AtLeast(0);
        var command = new Command("evaluate", "the evaluation protocol: a learned optimizer against SGD, NAG, RMSprop and Adam tuned per horizon, paired on held-out problems");
        command.Add(model);
        foreach (var option in problem.All) command.Add(option);
        foreach (var option in new Option[] { definition, problems, tuningProblems, horizon, horizons, output, cache, seed, threads }) command.Add(option);
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            var list = result.GetValue(horizons) is { } text ? CommonOptions.ParseSizes(text, "--horizons") : null;
            Run(new Settings(result.GetValue(model)!, problem.Read(result),
                result.GetValue(definition) == "held-out-data" ? HeldOutDefinition.HeldOutData : HeldOutDefinition.FreshSeeds,
                result.GetValue(problems), result.GetValue(tuningProblems), list, result.GetValue(horizon),
                result.GetValue(output)!, result.GetValue(seed), result.GetValue(threads), result.GetValue(cache)));
            return 0;
        }));
        return command;
    }

    /// <summary>Evaluates and reports; returns the measurements.</summary>
    public static ExperimentResult Run(Settings s)
    {
        var threads = s.Threads > 0 ? s.Threads : Environment.ProcessorCount;
        TorchRuntime.Configure(threads);
        var files = LearnedOptimizers.Files(s.Models).ToArray();
        var metaTrainingHorizon = LearnedOptimizers.MetaTrainingHorizon(files[0]) ?? s.Horizon;
        var horizons = s.Horizons ?? Experiment.ProtocolHorizons(metaTrainingHorizon
            ?? throw new ArgumentException($"{files[0]} does not record its meta-training horizon ({LearnedOptimizers.HorizonKey}): pass --horizon T or --horizons"));
        var experiment = new Experiment("evaluation", $"{string.Join(" + ", files.Select(Path.GetFileName))} on {s.Problem.Kind}", s.Models, s.Problem, s.Definition, horizons.Order().Distinct().ToArray())
        {
            MetaTrainingHorizon = metaTrainingHorizon,
        };
        var defaults = new ProtocolSettings();
        var settings = defaults with
        {
            Problems = s.Problems ?? defaults.Problems,
            QuadraticProblems = s.Problems ?? defaults.QuadraticProblems,
            TuningProblems = s.TuningProblems ?? defaults.TuningProblems,
            QuadraticTuningProblems = s.TuningProblems ?? defaults.QuadraticTuningProblems,
            Seeds = new EvaluationSeeds(s.Seed, s.Seed + 1),
            Threads = threads,
            CacheDirectory = s.Cache,
        };
        var result = RunProgress.Show("evaluate", (progress, log) =>
        {
            var runner = new ProtocolRunner(settings, log) { Progress = progress };
            var (steps, seconds) = runner.Estimate(experiment);
            log($"evaluating {string.Join(", ", s.Models)} at {string.Join(", ", experiment.Horizons)} steps: {steps:N0} optimizee steps to run, about {ResultsReport.Duration(seconds)}");
            return runner.Run(experiment);
        });

        Directory.CreateDirectory(s.Output);
        var figures = ExperimentFiles.WriteFigures(result, s.Output);
        var section = ResultsMarkdown.Section(result, figures);
        Console.WriteLine();
        Console.WriteLine(section);
        var markdown = Path.Combine(s.Output, "results.md");
        AtomicFile.WriteAllBytes(markdown, Encoding.UTF8.GetBytes($"# {experiment.Title}\n\n{section}"));
        var csv = Path.Combine(s.Output, "curves.csv");
        LossCurvesCsv.Write(csv, ExperimentFiles.AllCurves(result));
        Console.WriteLine($"wrote {markdown}, {csv} (long format: {LossCurvesCsv.Header}) and the figures {Path.Combine(s.Output, "evaluation-<steps>.png/.svg")}");
        return result;
    }
}
