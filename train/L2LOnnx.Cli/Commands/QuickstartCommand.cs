using System.CommandLine;
using System.Diagnostics;
using L2LOnnx.Train.MetaTraining;
using L2LOnnx.Train.Optimizers;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l quickstart</c>: the whole chain on the paper's quadratics in a few minutes — meta-train in
/// TorchSharp, export to ONNX, evaluate the file through the runtime against tuned baselines.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "output folder", DefaultValueFactory = _ => "out/quickstart" };
        var trajectories = new Option<int>("--trajectories") { Description = "meta-training trajectories", DefaultValueFactory = _ => 200 }.AtLeast(1);
        var threads = CommonOptions.Threads();
        var seed = CommonOptions.Seed();
        var command = new Command("quickstart", "meta-train on quadratics, export to ONNX, evaluate against tuned Adam and friends")
        {
            output, trajectories, threads, seed,
        };
        command.SetAction((result, cancellation) => MetaTrainCommand.RunInForeground(() =>
        {
            var clock = Stopwatch.StartNew();
            var folder = result.GetValue(output)!;
            var model = Path.Combine(folder, "quadratic.onnx");
            var problem = new ProblemSpec { Kind = ProblemKind.Quadratic };
            Console.WriteLine("== 1/2 meta-train (TorchSharp) and export (ONNX) ==");
            var training = MetaTrainCommand.Run(new MetaTrainCommand.Settings(
                problem,
                model,
                new LstmOptimizerConfig(Layers: 2, HiddenSize: 20, PreprocessingP: 10, OutputScale: 0.1),
                PerGroupNetworks: false,
                new MetaTrainingOptions
                {
                    Trajectories = result.GetValue(trajectories),
                    Seed = result.GetValue(seed),
                    CheckpointPath = Path.Combine(folder, "quadratic.ckpt"),
                },
                result.GetValue(threads)), cancellation);
            if (training.Interrupted) return 130;
            Console.WriteLine();
            Console.WriteLine("== 2/2 evaluate the ONNX file through the runtime ==");
            EvaluateCommand.Run(new EvaluateCommand.Settings([model], problem, Problems: 100, Steps: 100, folder, Seed: 2016, result.GetValue(threads)));
            Console.WriteLine($"quickstart finished in {clock.Elapsed.TotalSeconds:0} s");
            return 0;
        }));
        return command;
    }
}
