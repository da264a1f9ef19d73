using System.CommandLine;
using System.Globalization;
using L2LOnnx.Cli.Reports;
using L2LOnnx.Interop.Onnx;
using L2LOnnx.Train;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;
using TorchSharp;

namespace L2LOnnx.Cli.Commands;

/// <summary><c>l2l meta-train</c>: meta-trains an LSTM optimizer and exports it as a contract-v1 ONNX file.</summary>
internal static class MetaTrainCommand
{
    /// <summary>Everything a meta-training run needs, as the command line gives it.</summary>
    public sealed record Settings(
        string Problem,
        string Output,
        LstmOptimizerConfig Network,
        MetaTrainingOptions Training,
        int Threads);

    public static Command Create()
    {
        var problem = CommonOptions.Problem();
        var output = new Option<string>("--out") { Description = "ONNX file to write", DefaultValueFactory = _ => "out/quadratic.onnx" };
        var trajectories = new Option<int>("--trajectories") { Description = "trajectories to meta-train on", DefaultValueFactory = _ => 200 };
        var batch = new Option<int>("--problems-per-trajectory") { Description = "problems optimized side by side per trajectory", DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { Description = "optimizee steps per trajectory (T)", DefaultValueFactory = _ => 100 };
        var unroll = new Option<int>("--unroll") { Description = "steps per truncated-BPTT unroll", DefaultValueFactory = _ => 20 };
        var metaLr = new Option<double>("--meta-lr") { Description = "Adam meta learning rate", DefaultValueFactory = _ => 0.01 };
        var layers = new Option<int>("--layers") { Description = "LSTM layers", DefaultValueFactory = _ => 2 };
        var hidden = new Option<int>("--hidden") { Description = "hidden units per LSTM layer", DefaultValueFactory = _ => 20 };
        var scale = new Option<double>("--output-scale") { Description = "output multiplier", DefaultValueFactory = _ => 0.1 };
        var validateEvery = new Option<int>("--validate-every") { Description = "validate (and keep the best weights) every K trajectories", DefaultValueFactory = _ => 10 };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("meta-train", "meta-train a coordinatewise LSTM optimizer by truncated BPTT and export it to ONNX")
        {
            problem, output, trajectories, batch, steps, unroll, metaLr, layers, hidden, scale, validateEvery, seed, threads,
        };
        command.SetAction((result, cancellation) =>
        {
            var settings = new Settings(
                result.GetValue(problem)!,
                result.GetValue(output)!,
                new LstmOptimizerConfig(result.GetValue(layers), result.GetValue(hidden), 10.0, result.GetValue(scale)),
                new MetaTrainingOptions
                {
                    Trajectories = result.GetValue(trajectories),
                    ProblemsPerTrajectory = result.GetValue(batch),
                    TrajectoryLength = result.GetValue(steps),
                    UnrollLength = result.GetValue(unroll),
                    MetaLearningRate = result.GetValue(metaLr),
                    ValidateEvery = result.GetValue(validateEvery),
                    Seed = result.GetValue(seed),
                },
                result.GetValue(threads));
            Run(settings, cancellation);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Meta-trains and exports; returns the training result.</summary>
    public static MetaTrainingResult Run(Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.Configure(settings.Threads);
        var family = Family(settings.Problem);
        torch.random.manual_seed(settings.Training.Seed);
        using var network = new LstmOptimizer(settings.Network);
        Console.WriteLine($"meta-training {settings.Network.Describe()} on {family.Name}: " +
                          $"{settings.Training.Trajectories} trajectories x {settings.Training.ProblemsPerTrajectory} problems, " +
                          $"T={settings.Training.TrajectoryLength}, unroll {settings.Training.UnrollLength}, meta-lr {settings.Training.MetaLearningRate}, seed {settings.Training.Seed}");
        var result = new MetaTrainer(network, family, settings.Training)
            .Train(new ProgressPrinter(settings.Training.ProblemsPerTrajectory), cancellation);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done in {result.Elapsed.TotalSeconds:0.0} s: validation meta-loss {result.InitialValidation:0.00} (untrained) -> {result.BestValidation:0.00} (best, after trajectory {result.BestTrajectory})"));

        LstmOptimizerExporter.Save(network, settings.Output, new ExportMetadata
        {
            TrainedOn = family.Name,
            Details = Details(settings, result),
        });
        Console.WriteLine($"wrote {settings.Output}");
        return result;
    }

    public static IProblemFamily Family(string problem) => problem switch
    {
        "quadratic" => new QuadraticFamily(10),
        _ => throw new ArgumentException($"unknown problem '{problem}'"),
    };

    private static Dictionary<string, string> Details(Settings s, MetaTrainingResult r)
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            ["meta.trajectories"] = r.Trajectories.ToString(CultureInfo.InvariantCulture),
            ["meta.problems_per_trajectory"] = s.Training.ProblemsPerTrajectory.ToString(CultureInfo.InvariantCulture),
            ["meta.trajectory_length"] = s.Training.TrajectoryLength.ToString(CultureInfo.InvariantCulture),
            ["meta.unroll_length"] = s.Training.UnrollLength.ToString(CultureInfo.InvariantCulture),
            ["meta.learning_rate"] = F(s.Training.MetaLearningRate),
            ["meta.seed"] = s.Training.Seed.ToString(CultureInfo.InvariantCulture),
            ["meta.best_trajectory"] = r.BestTrajectory.ToString(CultureInfo.InvariantCulture),
            ["meta.validation_loss"] = F(r.BestValidation),
            ["meta.validation_loss_untrained"] = F(r.InitialValidation),
            ["meta.seconds"] = F(Math.Round(r.Elapsed.TotalSeconds, 1)),
        };
    }
}
