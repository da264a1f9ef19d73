using System.Globalization;

namespace L2LOnnx.TestSupport;

/// <summary>
/// Contract-v1 LSTM optimizers with random weights, as the trainer's exporter writes them, kept as files
/// (<c>tests/L2LOnnx.TestSupport/LstmModels/</c>) so the runtime's tests need no TorchSharp.
/// L2LOnnx.Train.Tests checks that every file still equals the exporter's output for its network, and
/// rewrites them when run with <c>L2L_UPDATE_FIXTURES=1</c>.
/// </summary>
public static class LstmModels
{
    /// <summary>Every network kept as a file: layers, hidden units, preprocessing p, output scale, torch seed.</summary>
    public static IReadOnlyList<(int Layers, int Hidden, double? P, double Scale, int Seed)> All { get; } =
    [
        (2, 20, 10.0, 0.1, 7),
        (2, 20, 10.0, 0.1, 8),
        (2, 6, 10.0, 0.1, 7),
        (1, 7, null, 0.1, 7),
        (3, 5, 5.0, 0.1, 7),
        (1, 7, null, 1.0, 7),
        (3, 5, 5.0, 0.01, 7),
    ];

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    /// <summary>The folder of the files.</summary>
    public static string Folder => Path.Combine(DebianPython.RepositoryRoot(), "tests", "L2LOnnx.TestSupport", "LstmModels");

    /// <summary>The file of the network drawn with torch seed <paramref name="seed"/>.</summary>
    public static string PathOf(int layers = 2, int hidden = 20, double? p = 10.0, double scale = 0.1, int seed = 7) =>
        Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture,
            $"lstm-{layers}x{hidden}-p{(p is { } value ? value.ToString("R", CultureInfo.InvariantCulture) : "none")}-scale{scale:R}-seed{seed}.onnx"));

    /// <summary>The exported ONNX bytes of the network drawn with torch seed <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">No file holds that network: add it to <see cref="All"/> and regenerate.</exception>
    public static byte[] Bytes(int layers = 2, int hidden = 20, double? p = 10.0, double scale = 0.1, int seed = 7)
    {
        if (!All.Contains((layers, hidden, p, scale, seed)))
            throw new ArgumentException($"no test model {layers}x{hidden}, p {p}, scale {scale}, seed {seed}: add it to LstmModels.All and run L2LOnnx.Train.Tests with L2L_UPDATE_FIXTURES=1");
        var path = PathOf(layers, hidden, p, scale, seed);
        lock (Gate)
        {
            if (!Cache.TryGetValue(path, out var bytes))
                Cache[path] = bytes = File.ReadAllBytes(path);
            return bytes;
        }
    }

    /// <summary>|a - b| / max(1, |a|): relative for large values, absolute near zero.</summary>
    public static double MaxDifference(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (var i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs((double)expected[i] - actual[i]) / Math.Max(1.0, Math.Abs(expected[i])));
        return worst;
    }
}
