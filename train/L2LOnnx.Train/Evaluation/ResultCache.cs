using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using L2LOnnx.Runtime;

namespace L2LOnnx.Train.Evaluation;

/// <summary>
/// Per-task results on disk (gzip-compressed JSON), keyed by a hash of everything that determines them,
/// so a rerun recomputes only what changed: baselines are keyed by the problems alone (shared by every
/// model evaluated on them), learned runs by the problems and the model files' bytes.
/// </summary>
internal sealed class ResultCache(string? directory)
{
    /// <summary>Bumped whenever the protocol changes what a cached result means.</summary>
    public const int ProtocolVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Whether a value is cached under <paramref name="name"/>-<paramref name="key"/>.</summary>
    public bool Has(string name, string key) => directory is not null && File.Exists(PathOf(name, key));

    /// <summary>The cached value under <paramref name="name"/>-<paramref name="key"/>, or <paramref name="compute"/>'s, stored.</summary>
    public T GetOrCompute<T>(string name, string key, Func<T> compute, out bool cached)
    {
        cached = false;
        if (directory is null) return compute();
        var path = PathOf(name, key);
        if (File.Exists(path))
        {
            try
            {
                using var file = File.OpenRead(path);
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                if (JsonSerializer.Deserialize<T>(gzip, Json) is { } value)
                {
                    cached = true;
                    return value;
                }
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or IOException)
            {
                // A truncated or stale file is recomputed and replaced below.
            }
        }
        var result = compute();
        Directory.CreateDirectory(directory);
        using (var buffer = new MemoryStream())
        {
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
                JsonSerializer.Serialize(gzip, result, Json);
            AtomicFile.WriteAllBytes(path, buffer.ToArray());
        }
        return result;
    }

    /// <summary>A stable key from <paramref name="parts"/> (serialised as JSON) and the protocol version.</summary>
    public static string Key(params object?[] parts) =>
        JsonSerializer.Serialize(parts.Prepend(ProtocolVersion).ToArray(), Json);

    /// <summary>SHA-256 of a file's bytes, hex.</summary>
    public static string FileHash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    private string PathOf(string name, string key) => Path.Combine(directory!, $"{name}-{Hash(key)}.json.gz");

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();
}
