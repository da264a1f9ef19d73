using System.Globalization;
using System.IO.Compression;

namespace L2LOnnx.Train.Data;

/// <summary>
/// A small table of numeric features with one target per row (a class index or a real value), as the
/// scikit-learn data files Debian's <c>python3-sklearn</c> ships: the breast-cancer table (binary
/// classification) and Diabetes (regression). Features are standardised column by column (zero mean,
/// unit variance over all rows).
/// </summary>
public sealed class TabularDataset
{
    /// <summary>Folder of scikit-learn's bundled data files (Debian's <c>python3-sklearn</c>).</summary>
    public const string SklearnDataDirectory = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    private const string SklearnRemedy = "install Debian's scikit-learn: sudo apt-get install python3-sklearn";

    private TabularDataset(string name, float[,] features, float[] targets)
    {
        Name = name;
        Features = features;
        Targets = targets;
    }

    /// <summary>Name of the data set.</summary>
    public string Name { get; }

    /// <summary>Standardised features [rows, columns].</summary>
    public float[,] Features { get; }

    /// <summary>Targets [rows]: class indices for classification, values for regression.</summary>
    public float[] Targets { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Targets.Length;

    /// <summary>Number of feature columns.</summary>
    public int FeatureCount => Features.GetLength(1);

    /// <summary>
    /// The Wisconsin breast-cancer table (569 rows, 30 features, target 0 = malignant, 1 = benign) from
    /// scikit-learn's <c>breast_cancer.csv</c>: a header line <c>rows,columns,class names</c>, then one
    /// row per line with the label last.
    /// </summary>
    /// <exception cref="DataSetNotFoundException">The file is not there; the message says how to get it.</exception>
    public static TabularDataset BreastCancer(string directory = SklearnDataDirectory)
    {
        var lines = File.ReadAllLines(Require(directory, "breast_cancer.csv", "breast-cancer table"))
            .Where(l => l.Length > 0).ToArray();
        var rows = lines.Skip(1).Select(ParseNumbers).ToArray();
        var features = rows.Select(r => r[..^1]).ToArray();
        var targets = rows.Select(r => (float)r[^1]).ToArray();
        return new TabularDataset("breast-cancer", Standardise(features), targets);
    }

    /// <summary>
    /// Diabetes (442 rows, 10 raw features, target a disease-progression score) from scikit-learn's
    /// <c>diabetes_data_raw.csv.gz</c> and <c>diabetes_target.csv.gz</c>; the target is standardised too.
    /// </summary>
    /// <exception cref="DataSetNotFoundException">A file is not there; the message says how to get it.</exception>
    public static TabularDataset Diabetes(string directory = SklearnDataDirectory)
    {
        var features = ReadGzipLines(Require(directory, "diabetes_data_raw.csv.gz", "Diabetes features")).Select(ParseNumbers).ToArray();
        var targets = ReadGzipLines(Require(directory, "diabetes_target.csv.gz", "Diabetes targets")).Select(l => ParseNumbers(l)[0]).ToArray();
        if (targets.Length != features.Length)
            throw new InvalidDataException($"Diabetes: {features.Length} feature rows but {targets.Length} targets in {directory}");
        var standardised = Standardise(targets.Select(t => new[] { t }).ToArray());
        return new TabularDataset("diabetes", Standardise(features), Enumerable.Range(0, targets.Length).Select(i => standardised[i, 0]).ToArray());
    }

    /// <summary>The rows in the order of <paramref name="order"/> (a permutation or any subset of row indices).</summary>
    public TabularDataset Rows(IReadOnlyList<int> order)
    {
        var features = new float[order.Count, FeatureCount];
        for (var i = 0; i < order.Count; i++)
            for (var j = 0; j < FeatureCount; j++)
                features[i, j] = Features[order[i], j];
        return new TabularDataset(Name, features, order.Select(i => Targets[i]).ToArray());
    }

    /// <summary>Shuffles the rows with <paramref name="seed"/> and splits off the first <paramref name="fraction"/> of them.</summary>
    public (TabularDataset First, TabularDataset Others) ShuffledSplit(int seed, double fraction)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        var first = (int)Math.Round(Count * fraction);
        return (Rows(order[..first]), Rows(order[first..]));
    }

    private static string Require(string directory, string file, string what)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
            throw new DataSetNotFoundException(
                $"{what} not found: looked for {Path.GetFullPath(path)}. To get it, {SklearnRemedy}",
                path, SklearnRemedy);
        return path;
    }

    private static IEnumerable<string> ReadGzipLines(string path)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
            if (line.Trim().Length > 0) lines.Add(line);
        return lines;
    }

    private static double[] ParseNumbers(string line) =>
        line.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(p => double.Parse(p, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();

    private static float[,] Standardise(double[][] rows)
    {
        var columns = rows[0].Length;
        if (rows.Any(r => r.Length != columns)) throw new InvalidDataException("rows of different lengths");
        var result = new float[rows.Length, columns];
        for (var j = 0; j < columns; j++)
        {
            var mean = rows.Average(r => r[j]);
            var std = Math.Sqrt(rows.Average(r => (r[j] - mean) * (r[j] - mean)));
            for (var i = 0; i < rows.Length; i++)
                result[i, j] = (float)(std > 0 ? (rows[i][j] - mean) / std : 0);
        }
        return result;
    }
}
