using Google.Protobuf;
using L2LOnnx.Interop.Onnx;
using L2LOnnx.Train.Optimizers;
using static TorchSharp.torch;

namespace L2LOnnx.Tests.Runtime;

/// <summary>LSTM optimizers with random weights, exported by the real exporter, for runtime tests.</summary>
internal static class LstmModels
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<(int, int, double?, double, int), byte[]> Cache = new();

    /// <summary>The exported ONNX bytes of a network drawn with torch seed <paramref name="seed"/>.</summary>
    public static byte[] Bytes(int layers = 2, int hidden = 20, double? p = 10.0, double scale = 0.1, int seed = 7)
    {
        lock (Gate)
        {
            var key = (layers, hidden, p, scale, seed);
            if (Cache.TryGetValue(key, out var cached)) return cached;
            using var network = Network(layers, hidden, p, scale, seed);
            var bytes = LstmOptimizerExporter.Build(network, new ExportMetadata { TrainedOn = "test" }).ToByteArray();
            Cache[key] = bytes;
            return bytes;
        }
    }

    /// <summary>The TorchSharp network behind <see cref="Bytes"/> (same seed, same weights).</summary>
    public static LstmOptimizer Network(int layers = 2, int hidden = 20, double? p = 10.0, double scale = 0.1, int seed = 7)
    {
        random.manual_seed(seed);
        return new LstmOptimizer(new LstmOptimizerConfig(layers, hidden, p, scale));
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
