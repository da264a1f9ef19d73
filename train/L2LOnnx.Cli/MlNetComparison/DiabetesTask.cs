using System.Globalization;
using System.IO.Compression;
using L2LOnnx.Train.Data;
using Microsoft.ML;

namespace L2LOnnx.Cli.MlNetComparison;

/// <summary>
/// Diabetes (sklearn's raw version, Debian python3-sklearn; Efron et al. 2004): 442 patients, 10 features,
/// disease progression after one year; a seeded 342 / 100 split.
/// </summary>
internal static class DiabetesTask
{
    /// <summary>Where Debian's <c>python3-sklearn</c> keeps the Diabetes data: the folder the other sklearn tables are read from.</summary>
    private const string DataDirectory = TabularDataset.SklearnDataDirectory;

    /// <summary>
    /// Reads the raw data (not <see cref="TabularDataset.Diabetes"/>, which standardises the target: the
    /// trainers here predict in the target's own units), shuffles the patients by <paramref name="seed"/> and
    /// splits them 342 / 100; the pipeline standardises the features.
    /// </summary>
    public static ComparisonTask Load(MLContext ml, int seed)
    {
        var features = ReadGzipLines(Path.Combine(DataDirectory, "diabetes_data_raw.csv.gz"))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var targets = ReadGzipLines(Path.Combine(DataDirectory, "diabetes_target.csv.gz")).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (features.Length != 442 || targets.Length != 442 || features.Any(f => f.Length != 10))
            throw new InvalidDataException($"Diabetes data in {DataDirectory} is not 442 rows of 10 features and a target");
        var order = Enumerable.Range(0, features.Length).ToArray();
        new Random(seed).Shuffle(order);
        IDataView View(IEnumerable<int> rows) => LabelledRows.Load(ml, rows.Select(i => new LabelledRows.NumberLabelled { Features = features[i], Label = targets[i] }), 10);
        return new ComparisonTask("Diabetes regression (sklearn data via Debian python3-sklearn, 342 / 100)", TaskKind.Regression,
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
}
