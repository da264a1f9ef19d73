using System.Text;
using L2LOnnx.Runtime;

namespace L2LOnnx.Train.MetaTraining;

/// <summary>
/// Everything needed to continue a meta-training run exactly where it stopped, as plain data: the
/// optimizer's current and best weights, the Adam meta-optimizer's state, the problem generator's RNG
/// state and the counters. Written at trajectory boundaries only, so a resumed run repeats no work and
/// skips none.
/// </summary>
public sealed record MetaTrainingCheckpoint
{
    private const string Magic = "L2LOnnx meta-training checkpoint";
    // Version 2 added the rollback count and the meta-optimizer state saved with the best weights; version 1 still loads.
    private const int FormatVersion = 2;

    /// <summary>The run's settings (<see cref="MetaTrainer.Fingerprint"/>); a resumed run must have the same.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Trajectories completed.</summary>
    public required int Trajectories { get; init; }

    /// <summary>Meta-steps skipped so far because the meta-loss or meta-gradient was not finite.</summary>
    public required int SkippedMetaSteps { get; init; }

    /// <summary>Validation score of the untrained optimizer.</summary>
    public required double InitialValidation { get; init; }

    /// <summary>Best validation score so far.</summary>
    public required double BestValidation { get; init; }

    /// <summary>Trajectory after which the best score was measured (0 = untrained).</summary>
    public required int BestTrajectory { get; init; }

    /// <summary>The latest validation score, if any.</summary>
    public required double? LatestValidation { get; init; }

    /// <summary>Wall time spent so far, over all sessions of the run.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The optimizer's current weights by parameter name, flattened.</summary>
    public required IReadOnlyDictionary<string, float[]> Weights { get; init; }

    /// <summary>The weights that scored <see cref="BestValidation"/>.</summary>
    public required IReadOnlyDictionary<string, float[]> BestWeights { get; init; }

    /// <summary>The meta-optimizer's state in TorchSharp's optimizer state format.</summary>
    public required byte[] MetaOptimizerState { get; init; }

    /// <summary>The problem generator's state (<c>Generator.get_state()</c>).</summary>
    public required byte[] GeneratorState { get; init; }

    /// <summary>The meta-optimizer's state when the best weights were taken, kept by runs that roll back (<see cref="MetaTrainingOptions.RollbackFactor"/>); otherwise null.</summary>
    public byte[]? BestMetaOptimizerState { get; init; }

    /// <summary>Rollbacks so far; each halves the meta learning rate.</summary>
    public int Rollbacks { get; init; }

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically: a crash leaves the previous one intact.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, ToBytes());

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no checkpoint at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this format.</exception>
    public static MetaTrainingCheckpoint Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"no meta-training checkpoint at {Path.GetFullPath(path)}: start the run without --resume, or pass the checkpoint it wrote", path);
        try
        {
            return FromBytes(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a readable meta-training checkpoint ({e.Message})", e);
        }
    }

    /// <summary>The checkpoint as bytes.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(Fingerprint);
            writer.Write(Trajectories);
            writer.Write(SkippedMetaSteps);
            writer.Write(InitialValidation);
            writer.Write(BestValidation);
            writer.Write(BestTrajectory);
            writer.Write(LatestValidation.HasValue);
            writer.Write(LatestValidation ?? 0);
            writer.Write(Elapsed.Ticks);
            WriteWeights(writer, Weights);
            WriteWeights(writer, BestWeights);
            WriteBytes(writer, MetaOptimizerState);
            WriteBytes(writer, GeneratorState);
            writer.Write(Rollbacks);
            writer.Write(BestMetaOptimizerState is not null);
            if (BestMetaOptimizerState is not null) WriteBytes(writer, BestMetaOptimizerState);
        }
        return stream.ToArray();
    }

    /// <summary>Parses bytes written by <see cref="ToBytes"/>.</summary>
    public static MetaTrainingCheckpoint FromBytes(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        if (reader.ReadString() != Magic) throw new InvalidDataException("not a meta-training checkpoint");
        var version = reader.ReadInt32();
        if (version is < 1 or > FormatVersion) throw new InvalidDataException($"checkpoint format {version}, this build reads 1 to {FormatVersion}");
        var checkpoint = new MetaTrainingCheckpoint
        {
            Fingerprint = reader.ReadString(),
            Trajectories = reader.ReadInt32(),
            SkippedMetaSteps = reader.ReadInt32(),
            InitialValidation = reader.ReadDouble(),
            BestValidation = reader.ReadDouble(),
            BestTrajectory = reader.ReadInt32(),
            LatestValidation = ReadOptional(reader),
            Elapsed = TimeSpan.FromTicks(reader.ReadInt64()),
            Weights = ReadWeights(reader),
            BestWeights = ReadWeights(reader),
            MetaOptimizerState = ReadBytes(reader),
            GeneratorState = ReadBytes(reader),
        };
        if (version == 1) return checkpoint;
        var rollbacks = reader.ReadInt32();
        return checkpoint with { Rollbacks = rollbacks, BestMetaOptimizerState = reader.ReadBoolean() ? ReadBytes(reader) : null };
    }

    private static double? ReadOptional(BinaryReader reader)
    {
        var present = reader.ReadBoolean();
        var value = reader.ReadDouble();
        return present ? value : null;
    }

    private static void WriteWeights(BinaryWriter writer, IReadOnlyDictionary<string, float[]> weights)
    {
        writer.Write(weights.Count);
        foreach (var (name, values) in weights.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            writer.Write(name);
            writer.Write(values.Length);
            foreach (var v in values) writer.Write(v);
        }
    }

    private static Dictionary<string, float[]> ReadWeights(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        var weights = new Dictionary<string, float[]>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            var values = new float[reader.ReadInt32()];
            for (var j = 0; j < values.Length; j++) values[j] = reader.ReadSingle();
            weights.Add(name, values);
        }
        return weights;
    }

    private static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        var bytes = reader.ReadBytes(length);
        if (bytes.Length != length) throw new EndOfStreamException("the checkpoint is truncated");
        return bytes;
    }
}
