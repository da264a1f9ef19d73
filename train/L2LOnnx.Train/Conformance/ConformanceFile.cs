using System.Globalization;
using System.Text;
using System.Text.Json;
using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Conformance;

/// <summary>
/// Reads and writes <see cref="ConformanceVectors"/> as JSON: snake_case keys, float32 values as their
/// shortest round-trip decimal (exact, and about half the size of fixed 9-digit output), one step per
/// line so that a changed model shows up as a readable diff.
/// </summary>
public static class ConformanceFile
{
    /// <summary>The conventional vectors path for a model: <c>x.onnx</c> -> <c>x.conformance.json</c>.</summary>
    public static string DefaultPath(string modelPath) => Path.ChangeExtension(modelPath, ".conformance.json");

    /// <summary>Writes <paramref name="vectors"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">A recorded value is NaN or infinite (JSON cannot hold it, and a conformance vector should not).</exception>
    public static void Save(ConformanceVectors vectors, string path) =>
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(ToJson(vectors)));

    /// <summary>The JSON text of <paramref name="vectors"/>.</summary>
    public static string ToJson(ConformanceVectors vectors)
    {
        var json = new StringBuilder();
        json.Append('{');
        Property(json, "format", vectors.Format).Append(',');
        Property(json, "model", vectors.Model).Append(',');
        Property(json, "model_sha256", vectors.ModelSha256).Append(',');
        Property(json, "producer", vectors.Producer).Append(',');
        json.Append("\"coordinates\":").Append(vectors.Coordinates.ToString(CultureInfo.InvariantCulture)).Append(',');
        json.Append("\"threshold\":").Append(Number(vectors.Threshold, "threshold")).Append(',');
        json.Append("\"tolerance\":").Append(vectors.Tolerance.ToString("R", CultureInfo.InvariantCulture)).Append(",\n");
        json.Append("\"states\":{")
            .AppendJoin(',', vectors.States.Select(s => $"{JsonSerializer.Serialize(s.Key)}:{s.Value.ToString(CultureInfo.InvariantCulture)}"))
            .Append("},\n");
        if (vectors.CrossCheck is { } check)
        {
            json.Append("\"cross_check\":{");
            if (check.Engine is { } engine) Property(json, "engine", engine).Append(',');
            if (check.LargestDifference is { } difference) json.Append("\"largest_difference\":").Append(difference.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            if (check.Skipped is { } skipped) Property(json, "skipped", skipped).Append(',');
            json.Length--;
            json.Append("},\n");
        }
        json.Append("\"steps\":[\n");
        for (var i = 0; i < vectors.Steps.Count; i++)
        {
            var step = vectors.Steps[i];
            var where = $"step {i + 1}";
            json.Append("{\"grad\":");
            Array(json, step.Grad, where + " grad");
            json.Append(",\"update\":");
            Array(json, step.Update, where + " update");
            if (step.StateAfter is { } states)
            {
                json.Append(",\"state_after\":{");
                var first = true;
                foreach (var (name, values) in states)
                {
                    if (!first) json.Append(',');
                    first = false;
                    json.Append(JsonSerializer.Serialize(name)).Append(':');
                    Array(json, values, $"{where} {name}");
                }
                json.Append('}');
            }
            json.Append(i + 1 < vectors.Steps.Count ? "},\n" : "}\n");
        }
        json.Append("]}\n");
        return json.ToString();
    }

    /// <summary>Reads vectors from <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not conformance vectors of this format; the message says what is wrong.</exception>
    public static ConformanceVectors Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"no conformance vectors at '{Path.GetFullPath(path)}': write them with 'l2l conformance write --model <file>.onnx'", path);
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Parses the JSON text of conformance vectors.</summary>
    /// <exception cref="InvalidDataException">The text is not conformance vectors of this format.</exception>
    public static ConformanceVectors Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not JSON: {e.Message}", e);
        }
        using (document)
        {
            try
            {
                return Read(document.RootElement);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"a value has the wrong JSON type: {e.Message}", e);
            }
        }
    }

    private static ConformanceVectors Read(JsonElement root)
    {
        var format = String(root, "format");
        if (format != ConformanceVectors.FormatName)
            throw new InvalidDataException($"format is '{format}'; this version reads '{ConformanceVectors.FormatName}'");
        var coordinates = Get(root, "coordinates").GetInt32();
        if (coordinates < 1) throw new InvalidDataException($"coordinates is {coordinates}; it must be positive");
        var states = Get(root, "states").EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32())).ToList();
        var steps = new List<ConformanceStep>();
        foreach (var (element, index) in Get(root, "steps").EnumerateArray().Select((e, i) => (e, i + 1)))
        {
            var grad = Floats(element, "grad", coordinates, $"step {index}");
            var update = Floats(element, "update", coordinates, $"step {index}");
            Dictionary<string, float[]>? after = null;
            if (element.TryGetProperty("state_after", out var stateElement))
            {
                after = new Dictionary<string, float[]>(StringComparer.Ordinal);
                foreach (var (name, width) in states)
                    after[name] = Floats(stateElement, name, (long)coordinates * width, $"step {index} state_after");
            }
            steps.Add(new ConformanceStep(grad, update, after));
        }
        if (steps.Count == 0) throw new InvalidDataException("the file records no steps");
        CrossCheck? crossCheck = null;
        if (root.TryGetProperty("cross_check", out var check) && check.ValueKind == JsonValueKind.Object)
            crossCheck = new CrossCheck(
                check.TryGetProperty("engine", out var engine) ? engine.GetString() : null,
                check.TryGetProperty("largest_difference", out var difference) ? difference.GetDouble() : null,
                check.TryGetProperty("skipped", out var skipped) ? skipped.GetString() : null);
        return new ConformanceVectors
        {
            Format = format,
            Model = String(root, "model"),
            ModelSha256 = String(root, "model_sha256"),
            Producer = String(root, "producer"),
            Coordinates = coordinates,
            Threshold = Get(root, "threshold").GetSingle(),
            Tolerance = root.TryGetProperty("tolerance", out var tolerance) ? tolerance.GetDouble() : 1e-5,
            States = states,
            Steps = steps,
            CrossCheck = crossCheck,
        };
    }

    private static StringBuilder Property(StringBuilder json, string name, string value) =>
        json.Append('"').Append(name).Append("\":").Append(JsonSerializer.Serialize(value));

    private static string Number(float value, string where) =>
        float.IsFinite(value)
            ? value.ToString("R", CultureInfo.InvariantCulture)
            : throw new ArgumentException($"{where} is {value}: conformance vectors hold finite values only (the model produced a non-finite value; check it)");

    private static void Array(StringBuilder json, float[] values, string where)
    {
        json.Append('[');
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0) json.Append(',');
            json.Append(Number(values[i], $"{where}[{i}]"));
        }
        json.Append(']');
    }

    private static JsonElement Get(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw new InvalidDataException($"'{name}' is missing");

    private static string String(JsonElement element, string name) =>
        Get(element, name).GetString() ?? throw new InvalidDataException($"'{name}' is null");

    private static float[] Floats(JsonElement element, string name, long expected, string where)
    {
        var array = Get(element, name);
        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() != expected)
            throw new InvalidDataException($"{where}: '{name}' must be an array of {expected} numbers");
        var values = new float[expected];
        var i = 0;
        foreach (var item in array.EnumerateArray()) values[i++] = item.GetSingle();
        return values;
    }
}
