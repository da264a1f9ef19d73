using L2LOnnx.Train.Optimizers;
using static TorchSharp.torch;

namespace L2LOnnx.Train.Tests;

/// <summary>The TorchSharp networks behind <see cref="LstmModels"/>' files (same seed, same weights).</summary>
internal static class LstmNetworks
{
    /// <summary>The network drawn with torch seed <paramref name="seed"/>.</summary>
    public static LstmOptimizer Network(int layers = 2, int hidden = 20, double? p = 10.0, double scale = 0.1, int seed = 7)
    {
        random.manual_seed(seed);
        return new LstmOptimizer(new LstmOptimizerConfig(layers, hidden, p, scale));
    }
}
