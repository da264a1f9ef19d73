using System.CommandLine;
using System.Globalization;
using L2LOnnx.Train.Problems;

namespace L2LOnnx.Cli.Commands;

/// <summary>Options several commands share, with one definition each.</summary>
internal static class CommonOptions
{
    public static Option<int> Threads() => new Option<int>("--threads")
    {
        Description = "CPU threads for TorchSharp and ONNX Runtime (0 = all cores)",
        DefaultValueFactory = _ => 0,
    }.AtLeast(0);

    public static Option<int> Seed(int fallback = 1) => new("--seed")
    {
        Description = "seed of every random draw; equal seeds give equal runs",
        DefaultValueFactory = _ => fallback,
    };

    /// <summary>Exit code of a run refused because of its input (settings, files, data).</summary>
    public const int InputErrorExitCode = 2;

    /// <summary>
    /// Runs a command body and turns errors in the user's input — a missing data set or file, settings
    /// that do not match a checkpoint, an invalid option value — into one clear line on stderr and exit
    /// code 2, instead of a stack trace. Anything else is a bug, reported by <see cref="CliApp.Run"/>.
    /// </summary>
    public static int ReportInputErrors(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException
                                       or L2LOnnx.Runtime.ContractViolationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return InputErrorExitCode;
        }
    }

    /// <summary>Parses a comma-separated list of positive integers such as <c>20</c> or <c>20,20</c>.</summary>
    public static int[] ParseSizes(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new ArgumentException($"{option} expects positive whole numbers separated by commas (e.g. 20 or 20,20), got '{text}'");
        if (sizes.Length == 0) throw new ArgumentException($"{option} needs at least one size, got '{text}'");
        return sizes;
    }

    /// <summary>The options that choose a problem family and shape it (the paper's variants).</summary>
    public sealed class ProblemOptions
    {
        public Option<string> Problem { get; } = new Option<string>("--problem")
        {
            Description = "problem family: " + string.Join(", ", ProblemSpec.Names) + " (docs/training.md and, for general and its held-out families, docs/general.md describe each)",
            HelpName = "family",
            DefaultValueFactory = _ => "quadratic",
        }.AcceptOnlyFromAmong([.. ProblemSpec.Names]);

        public Option<string> Hidden { get; } = new("--mlp-hidden")
        {
            Description = "MLP hidden layer sizes, comma-separated: 20 (paper), 40, 20,20",
            HelpName = "sizes",
            DefaultValueFactory = _ => "20",
        };

        public Option<string> Activation { get; } = new Option<string>("--activation")
        {
            Description = "MLP hidden nonlinearity: sigmoid (paper), relu or tanh",
            HelpName = "name",
            DefaultValueFactory = _ => "sigmoid",
        }.AcceptOnlyFromAmong("sigmoid", "relu", "tanh");

        public Option<int> BatchSize { get; } = new Option<int>("--batch-size")
        {
            Description = "images per optimizee minibatch (MLP and convnet)",
            DefaultValueFactory = _ => 128,
        }.AtLeast(1);

        public Option<double> InitStd { get; } = new Option<double>("--init-std")
        {
            Description = "standard deviation of the MLP's N(0, s^2) initialisation",
            DefaultValueFactory = _ => 0.01,
        }.Positive();

        public Option<string?> Data { get; } = new("--data")
        {
            Description = "folder of the CIFAR-10 binary version (cifar-10-batches-bin)",
            HelpName = "folder",
        };

        public Option<int> Dimension { get; } = new Option<int>("--dimension")
        {
            Description = "parameters of each quadratic",
            DefaultValueFactory = _ => 10,
        }.AtLeast(1);

        public IEnumerable<Option> All => [Problem, Hidden, Activation, BatchSize, InitStd, Data, Dimension];

        /// <summary>
        /// The problem the options describe. Options given on the command line that the chosen family
        /// does not use (<c>--data</c> for mnist) are named in a warning on stderr, since they change nothing.
        /// </summary>
        public ProblemSpec Read(ParseResult result)
        {
            var batch = result.GetValue(BatchSize);
            var kind = ProblemSpec.ParseKind(result.GetValue(Problem)!);
            foreach (var option in Unused(kind).Where(o => result.GetResult(o) is { Implicit: false }))
                Console.Error.WriteLine($"warning: {option.Name} does not apply to --problem {result.GetValue(Problem)}; ignored");
            return new ProblemSpec
            {
                Kind = kind,
                QuadraticDimension = result.GetValue(Dimension),
                Mlp = new MlpConfig
                {
                    HiddenSizes = ParseSizes(result.GetValue(Hidden)!, "--mlp-hidden"),
                    Activation = result.GetValue(Activation) switch
                    {
                        "relu" => Train.Problems.Activation.Relu,
                        "tanh" => Train.Problems.Activation.Tanh,
                        _ => Train.Problems.Activation.Sigmoid,
                    },
                    BatchSize = batch,
                    InitStd = result.GetValue(InitStd),
                },
                ConvNet = new ConvNetConfig { BatchSize = batch },
                Cifar10Directory = result.GetValue(Data),
            };
        }

        /// <summary>The options <paramref name="kind"/> does not read.</summary>
        private IEnumerable<Option> Unused(ProblemKind kind)
        {
            var mlp = kind is ProblemKind.Mnist or ProblemKind.FashionMnist;
            var images = mlp || kind is ProblemKind.FashionMnistSoftmax;
            // The held-out ReLU MLP has a fixed shape and initialisation, the held-out convnet is fixed altogether.
            var minibatches = images || kind is ProblemKind.FashionMnistReluMlp or ProblemKind.Cifar10;
            if (kind != ProblemKind.Quadratic) yield return Dimension;
            if (!mlp) { yield return Hidden; yield return Activation; }
            if (!images) yield return InitStd;
            if (!minibatches) yield return BatchSize;
            if (kind != ProblemKind.Cifar10) yield return Data;
        }
    }
}
