using System.CommandLine;
using System.Globalization;
using L2LOnnx.Cli.MlNetComparison;
using L2LOnnx.Train.Data;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l mlnet-compare</c>: the learned-optimizer ML.NET trainers next to ML.NET's own L-BFGS, SDCA and
/// stochastic/online gradient descent trainers on the same real splits, with ML.NET's evaluators and fit
/// times; prints one table per task and writes them as Markdown and CSV. The comparison itself is
/// <see cref="ComparisonRunner"/>; this parses the options into its settings.
/// </summary>
internal static class MlNetCompareCommand
{
    public static Command Create()
    {
        var optimizer = new Option<string?>("--optimizer") { Description = "contract-v1 ONNX optimizer (default: the general.onnx embedded in L2LOnnx.Runtime at build time, a copy of models/general.onnx)" };
        var tasks = new Option<string[]>("--tasks") { Description = "tasks to run: " + string.Join(", ", ComparisonTasks.Names), HelpName = "task", DefaultValueFactory = _ => ComparisonTasks.Names, AllowMultipleArgumentsPerToken = true };
        tasks.AcceptOnlyFromAmong(ComparisonTasks.Names);
        var epochs = new Option<int[]>("--epochs")
        {
            Description = "epochs of the learned-optimizer trainers (and their SGD/Adam twins); several values run the comparison at each, e.g. --epochs 10 50",
            DefaultValueFactory = _ => [ComparisonSettings.DefaultEpochs],
            AllowMultipleArgumentsPerToken = true,
        }.Must(v => v is { Length: > 0 } && v.All(e => e >= 1), "one or more whole numbers >= 1");
        var diabetesEpochs = new Option<int>("--diabetes-epochs") { Description = $"epochs on Diabetes at --epochs {ComparisonSettings.DefaultEpochs}, scaled with --epochs (342 rows are only 3 minibatches per epoch)", DefaultValueFactory = _ => 200 }.AtLeast(1);
        var adamGrid = new Option<string>("--adam-grid") { Description = "learning rates Adam is tuned over, on a validation split of the training rows (never the test rows)", DefaultValueFactory = _ => "1e-4,3e-4,1e-3,3e-3,1e-2,3e-2" };
        var validation = new Option<double>("--validation-fraction") { Description = "fraction of the training rows held out to pick Adam's learning rate", DefaultValueFactory = _ => 0.2 }.Must(v => v > 0 && v < 1, "between 0 and 1");
        var batch = new Option<int>("--batch-size") { Description = "minibatch rows of the learned-optimizer trainers", DefaultValueFactory = _ => 128 }.AtLeast(1);
        var hidden = new Option<int>("--hidden") { Description = "also train a one-hidden-layer MLP with this many units on the multiclass tasks (0 = no)", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var fashionRows = new Option<int>("--fashion-train") { Description = "Fashion-MNIST training rows used (of 60,000)", DefaultValueFactory = _ => 60_000 }.Between(1, 60_000);
        var output = new Option<string>("--out") { Description = "folder for results.md and results.csv", DefaultValueFactory = _ => "out/mlnet-compare" };
        var seed = CommonOptions.Seed(1);
        var seeds = new Option<int>("--seeds")
        {
            // What a seed redraws is all of ComparisonSettings.Seed's uses: ComparisonTasks.Load, AdamTuning's split, the trainers' options and the MLContext.
            Description = "run the whole comparison at seeds --seed, --seed+1, ..., each drawing its own MNIST and Diabetes train/test split, " +
                "Fashion training rows and order, Adam's validation split, trainers' initialisation and minibatch order, and ML.NET's SDCA/SGD shuffles; " +
                "with 2 or more, each seed's tables go to <out>/<N>-epochs/seed-<s>/ and summary.md pairs learned and Adam by seed (means, difference ± SE, wins)",
            DefaultValueFactory = _ => 1,
        }.AtLeast(1);
        var threads = new Option<int>("--threads") { Description = "threads of every trainer (1 = fair single-core timing)", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var command = new Command("mlnet-compare", "learned-optimizer ML.NET trainers vs ML.NET's L-BFGS, SDCA and SGD on MNIST, Fashion-MNIST, a binary task and Diabetes")
        {
            optimizer, tasks, epochs, diabetesEpochs, adamGrid, validation, batch, hidden, fashionRows, output, seed, seeds, threads,
        };
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            var settings = new ComparisonSettings(result.GetValue(optimizer), ComparisonSettings.DefaultEpochs, result.GetValue(batch), result.GetValue(hidden),
                result.GetValue(seed), result.GetValue(threads))
            {
                AdamGrid = ParseRates(result.GetValue(adamGrid)!),
                ValidationFraction = result.GetValue(validation),
            };
            try
            {
                ComparisonRunner.RunAtEachEpochs(settings, result.GetValue(epochs)!, result.GetValue(tasks)!, result.GetValue(fashionRows),
                    result.GetValue(diabetesEpochs), result.GetValue(output)!, result.GetValue(seeds));
                return 0;
            }
            catch (FileNotFoundException e) when (settings.Optimizer is null && e is not DataSetNotFoundException)
            {
                // The default optimizer is the usual first-run problem: say how to name another one.
                throw new FileNotFoundException($"{e.Message} (on the command line: --optimizer FILE)", e.FileName, e);
            }
        }));
        return command;
    }

    private static IReadOnlyList<double> ParseRates(string text)
    {
        var rates = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0 && double.IsFinite(r) ? r
                : throw new ArgumentException($"--adam-grid expects positive numbers separated by commas (e.g. 1e-3,3e-3), got '{t}'")).ToArray();
        return rates.Length > 0 ? rates : throw new ArgumentException("--adam-grid needs at least one learning rate");
    }
}
