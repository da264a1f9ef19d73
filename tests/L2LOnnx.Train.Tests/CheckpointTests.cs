using L2LOnnx.Train.MetaTraining;

namespace L2LOnnx.Train.Tests;

/// <summary>The checkpoint file format.</summary>
public sealed class CheckpointTests
{
    private static MetaTrainingCheckpoint Sample() => new()
    {
        Fingerprint = "quadratic-10d; test",
        Trajectories = 40,
        SkippedMetaSteps = 2,
        InitialValidation = 123.5,
        BestValidation = 7.25,
        BestTrajectory = 30,
        LatestValidation = 8.5,
        Elapsed = TimeSpan.FromSeconds(12.5),
        Weights = new Dictionary<string, float[]> { ["a"] = [1f, 2f], ["b"] = [float.Epsilon, -0f, 3e38f] },
        BestWeights = new Dictionary<string, float[]> { ["a"] = [5f, 6f], ["b"] = [7f, 8f, 9f] },
        MetaOptimizerState = [1, 2, 3],
        GeneratorState = [9, 8, 7, 6],
    };

    [Fact]
    public void CheckpointRoundTripsThroughAFile()
    {
        using var temp = new TempDirectory();
        var original = Sample();
        original.Save(temp.File("run.ckpt"));

        var loaded = MetaTrainingCheckpoint.Load(temp.File("run.ckpt"));

        Assert.Equal(original.ToBytes(), loaded.ToBytes());
        Assert.Equal(original.Fingerprint, loaded.Fingerprint);
        Assert.Equal(original.LatestValidation, loaded.LatestValidation);
        Assert.Equal(original.Weights["b"], loaded.Weights["b"]);
        Assert.Equal(original.GeneratorState, loaded.GeneratorState);
        var neverValidated = Sample() with { LatestValidation = null };
        Assert.Null(MetaTrainingCheckpoint.FromBytes(neverValidated.ToBytes()).LatestValidation);
        Assert.Empty(Directory.GetFiles(temp.Path, "*" + L2LOnnx.Runtime.AtomicFile.TemporarySuffix));
    }

    [Fact]
    public void TruncatedOrForeignFilesAreRejectedWithTheirPath()
    {
        using var temp = new TempDirectory();
        var bytes = Sample().ToBytes();
        File.WriteAllBytes(temp.File("truncated.ckpt"), bytes[..(bytes.Length - 3)]);
        File.WriteAllText(temp.File("foreign.ckpt"), "not a checkpoint");

        Assert.Contains("truncated.ckpt", Assert.Throws<InvalidDataException>(() => MetaTrainingCheckpoint.Load(temp.File("truncated.ckpt"))).Message);
        Assert.Contains("foreign.ckpt", Assert.Throws<InvalidDataException>(() => MetaTrainingCheckpoint.Load(temp.File("foreign.ckpt"))).Message);
    }

    [Fact]
    public void RollbackStateRoundTripsAndVersionOneFilesStillLoad()
    {
        var rolledBack = Sample() with { Rollbacks = 3, BestMetaOptimizerState = [4, 5, 6, 7] };
        var loaded = MetaTrainingCheckpoint.FromBytes(rolledBack.ToBytes());
        Assert.Equal(3, loaded.Rollbacks);
        Assert.Equal(new byte[] { 4, 5, 6, 7 }, loaded.BestMetaOptimizerState);

        // A version-1 file is a version-2 file without the trailing rollback count (int) and "no best state" flag (bool).
        var bytes = Sample().ToBytes();
        var versionOffset = 1 + "L2LOnnx meta-training checkpoint".Length;
        Assert.Equal(2, BitConverter.ToInt32(bytes, versionOffset));
        var versionOne = bytes[..^5];
        BitConverter.GetBytes(1).CopyTo(versionOne, versionOffset);
        var old = MetaTrainingCheckpoint.FromBytes(versionOne);
        Assert.Equal(0, old.Rollbacks);
        Assert.Null(old.BestMetaOptimizerState);
        Assert.Equal(Sample().Weights["b"], old.Weights["b"]);

        BitConverter.GetBytes(3).CopyTo(bytes, versionOffset);
        Assert.Contains("format 3", Assert.Throws<InvalidDataException>(() => MetaTrainingCheckpoint.FromBytes(bytes)).Message);
    }
}
