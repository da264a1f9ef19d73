using System.CommandLine;
using L2LOnnx.Cli.Reports;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Evaluation;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l evaluate</c>: runs an exported optimizer through the runtime on held-out problems next to
/// baselines tuned on training-distribution problems; prints a table, writes CSV and a PNG plot.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>Steps at which the summary table reports the loss (the last is the horizon).</summary>
    private static int[] TableSteps(int steps) => new[] { 0, steps / 4, steps / 2, steps };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "contract-v1 ONNX optimizer to evaluate", Required = true };
        var problem = CommonOptions.Problem();
        var problems = new Option<int>("--problems") { Description = "held-out problems", DefaultValueFactory = _ => 100 };
        var steps = new Option<int>("--steps") { Description = "optimizee steps", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out") { Description = "folder for curves.csv and loss-curves.png", DefaultValueFactory = _ => "out/evaluation" };
        var seed = CommonOptions.Seed(2016);
        var threads = CommonOptions.Threads();
        var command = new Command("evaluate", "compare a learned optimizer with tuned SGD, NAG, RMSprop and Adam on held-out problems")
        {
            model, problem, problems, steps, output, seed, threads,
        };
        command.SetAction(result =>
        {
            Run(result.GetValue(model)!, result.GetValue(problem)!, result.GetValue(problems), result.GetValue(steps),
                result.GetValue(output)!, result.GetValue(seed), result.GetValue(threads));
            return 0;
        });
        return command;
    }

    /// <summary>Evaluates and reports; returns the curves, the learned optimizer's first.</summary>
    public static IReadOnlyList<LossCurves> Run(string modelPath, string problem, int problems, int steps, string output, int seed, int threads)
    {
        // Tuning and held-out problems come from the same distribution but different seeds.
        var tuning = Task(problem, problems, seed);
        var heldOut = Task(problem, problems, seed + 1);
        Console.WriteLine($"evaluating {modelPath} on {problems} held-out {heldOut.Name} problems, {steps} steps (seed {seed + 1}); " +
                          $"baselines tuned on {problems} other problems (seed {seed})");

        using var optimizer = LearnedOptimizer.Load(modelPath, new LearnedOptimizerOptions { IntraOpThreads = threads });
        var curves = new List<LossCurves>();
        using (var learned = new LearnedVectorOptimizer(optimizer, heldOut.ProblemCount * heldOut.Dimension, "learned"))
            curves.Add(Evaluator.Run(heldOut, learned, steps));

        foreach (var kind in Enum.GetValues<BaselineKind>())
        {
            var tuned = BaselineTuning.Tune(kind, tuning, steps);
            using var baseline = Baseline.Create(kind, tuned.LearningRate, heldOut.ProblemCount * heldOut.Dimension);
            curves.Add(Evaluator.Run(heldOut, baseline, steps));
        }

        LossReport.PrintTable($"{heldOut.Name}: loss on held-out problems", curves, TableSteps(steps));
        var csv = Path.Combine(output, "curves.csv");
        var png = Path.Combine(output, "loss-curves.png");
        LossReport.WriteCsv(csv, curves);
        LossPlot.Write(png, $"{heldOut.Name}: mean loss on {problems} held-out problems", curves);
        Console.WriteLine($"wrote {csv} and {png}");
        return curves;
    }

    private static IEvaluationTask Task(string problem, int problems, int seed) => problem switch
    {
        "quadratic" => new QuadraticTask(problems, seed),
        _ => throw new ArgumentException($"unknown problem '{problem}'"),
    };
}
