using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using L2LOnnx.Train.Optimizers;

namespace L2LOnnx.Train.MetaTraining;

/// <summary>
/// Weights a new meta-training run starts from instead of the network's own initialisation: the best
/// weights of an earlier run's checkpoint, or the weights of an exported model file
/// (<see cref="Onnx.ModelWarmStart"/>). This is how a curriculum over trajectory length is run
/// (meta-train at T = 100, then continue at T = 200 from the best weights), which <c>--resume</c>
/// cannot do because a resumed run must keep its settings. The meta-optimizer starts fresh.
/// </summary>
public sealed class WarmStart
{
    /// <summary>Weights to start from, with where they came from.</summary>
    /// <param name="source">Where the weights came from (a file name), for logs and ONNX metadata.</param>
    /// <param name="weights">The weights by parameter name, flattened (<see cref="MetaTrainingCheckpoint.BestWeights"/>).</param>
    /// <param name="earlierTrajectories">Trajectories the earlier run had trained when these weights were its best.</param>
    /// <param name="earlierSeconds">Wall time of the earlier run, so that the cost of the whole curriculum can be stated.</param>
    public WarmStart(string source, IReadOnlyDictionary<string, float[]> weights, int earlierTrajectories, double earlierSeconds)
        : this(source, weights, earlierTrajectories, earlierSeconds, singleNetwork: false, check: null)
    {
    }

    /// <summary>Weights of one network (a model file's), named as that network names its parameters.</summary>
    /// <param name="source">Where the weights came from (a file name).</param>
    /// <param name="weights">The weights by the network's own parameter names.</param>
    /// <param name="earlierTrajectories">Trajectories the earlier run had trained, if known (else 0).</param>
    /// <param name="earlierSeconds">Wall time of the earlier run in seconds, if known (else 0).</param>
    /// <param name="singleNetwork">True: the weights are one network's, for a run with one shared network.</param>
    /// <param name="check">
    /// Called with the run's network once the weights are in; returns null when the network now computes
    /// what the source did, else why not (settings that differ from the file's).
    /// </param>
    public WarmStart(string source, IReadOnlyDictionary<string, float[]> weights, int earlierTrajectories, double earlierSeconds,
        bool singleNetwork, Func<ILearnedOptimizerNetwork, string?>? check)
    {
        Source = source;
        IsSingleNetwork = singleNetwork;
        this.check = check;
        Weights = weights;
        EarlierTrajectories = earlierTrajectories;
        EarlierSeconds = earlierSeconds;
        // Computed once: the run's fingerprint, which contains it, is taken at every trajectory boundary.
        Digest = ComputeDigest(weights);
    }

    private readonly Func<ILearnedOptimizerNetwork, string?>? check;

    /// <summary>Where the weights came from (a file name), for logs and ONNX metadata.</summary>
    public string Source { get; }

    /// <summary>
    /// True when the weights are one network's, named as the network names them (a model file's);
    /// false when they are a whole run's, named as the run's <see cref="GroupedOptimizer"/> names them (a checkpoint's).
    /// </summary>
    public bool IsSingleNetwork { get; }

    /// <summary>The weights by parameter name, flattened.</summary>
    public IReadOnlyDictionary<string, float[]> Weights { get; }

    /// <summary>Trajectories the earlier run had trained when these weights were its best.</summary>
    public int EarlierTrajectories { get; }

    /// <summary>Wall time of the earlier run, in seconds.</summary>
    public double EarlierSeconds { get; }

    /// <summary>
    /// SHA-256 of the weights (names, lengths and values in name order), first 16 hex digits: part of the
    /// run's fingerprint, so that a run resumes only from a checkpoint that started from the same weights.
    /// </summary>
    public string Digest { get; }

    /// <summary>The best weights of the checkpoint at <paramref name="path"/> (clear errors for a missing or corrupt file).</summary>
    public static WarmStart FromCheckpoint(string path)
    {
        var checkpoint = MetaTrainingCheckpoint.Load(path);
        return new WarmStart(Path.GetFileName(path), checkpoint.BestWeights, checkpoint.BestTrajectory, checkpoint.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The warm start from <paramref name="path"/>: a model file (<c>.onnx</c>, <see cref="Onnx.ModelWarmStart.Load"/>)
    /// or else a checkpoint (<see cref="FromCheckpoint"/>).
    /// </summary>
    public static WarmStart FromFile(string path) =>
        path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? Onnx.ModelWarmStart.Load(path) : FromCheckpoint(path);

    /// <summary>Null when <paramref name="network"/>, holding these weights, computes what the source did; else why not.</summary>
    public string? Mismatch(ILearnedOptimizerNetwork network) => check?.Invoke(network);

    /// <summary>One line for logs and the ONNX metadata.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Source} (best weights, after trajectory {EarlierTrajectories} of a run of {EarlierSeconds:0} s; weights {Digest})");

    private static string ComputeDigest(IReadOnlyDictionary<string, float[]> weights)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, values) in weights.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            hash.AppendData(BitConverter.GetBytes(values.Length));
            hash.AppendData(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
