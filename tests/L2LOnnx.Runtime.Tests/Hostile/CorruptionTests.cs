using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;

namespace L2LOnnx.Runtime.Tests.Hostile;

/// <summary>
/// Finding 8 and the checkpoint findings of issue 11: checksummed checkpoints that hold NaN or an absurd
/// step count, model files whose weights changed, and temporary files left by interrupted saves. Cut model
/// files (finding 7) are in <see cref="TruncationTests"/>.
/// </summary>
public sealed class CorruptionTests
{
    private const int StepsOffset = 8 + 4 + 32 + 8;

    [Theory]
    [InlineData("nan")]
    [InlineData("steps")]
    public void ACheckpointWithARecomputedChecksumButInsaneContentIsRefused(string corruption)
    {
        using var optimizer = LearnedOptimizer.Load(LstmModels.Bytes(), new LearnedOptimizerOptions { IntraOpThreads = 1 });
        using var state = optimizer.CreateState(10);
        optimizer.Step(new float[10], Gradients.Spanning(10, 1), state);
        using var saved = new MemoryStream();
        state.Save(saved);
        var bytes = saved.ToArray();
        if (corruption == "nan")
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(bytes.Length - 32 - (10 * state.Specs.Sum(s => s.Width) * 4) + 20), float.NaN);
        else
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(StepsOffset), long.MaxValue);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes.AsSpan(bytes.Length - 32));

        using var target = optimizer.CreateState(10);
        var e = Assert.Throws<InvalidDataException>(() => target.Load(new MemoryStream(bytes)));
        Assert.Contains(corruption == "nan" ? "holds NaN" : $"records {long.MaxValue} steps", e.Message);
        Assert.Equal(0, target.Steps);
        Assert.All(target.Read(0), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void AModelWhoseWeightsChangedIsRefused()
    {
        var bytes = File.ReadAllBytes(RepositoryModels.PathOf("quadratic.onnx"));
        var model = global::Onnx.ModelProto.Parser.ParseFrom(bytes);
        var weights = model.Graph.Initializer.First(t => t.RawData.Length >= 4);
        var raw = weights.RawData.ToByteArray();
        raw[0] ^= 1;
        weights.RawData = Google.Protobuf.ByteString.CopyFrom(raw);
        var e = Assert.Throws<ContractViolationException>(() => ModelPrecheck.Check(Google.Protobuf.MessageExtensions.ToByteArray(model)));
        Assert.Contains("the weights do not match", e.Message);
    }

    [Fact]
    public void AnInterruptedSaveLeavesNoTemporaryFileBehindTheNextSave()
    {
        using var temp = new TempDirectory();
        var target = temp.File("state.l2ls");
        // What a writer killed mid-write leaves: its temporary file, named with its (now dead) process id.
        using var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        dead.WaitForExit();
        var orphan = temp.File($".state.l2ls.{dead.Id}.{Guid.NewGuid():N}{AtomicFile.TemporarySuffix}");
        File.WriteAllBytes(orphan, new byte[1000]);
        // A live writer's temporary file of the same target must survive.
        using var live = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        var working = temp.File($".state.l2ls.{live.Id}.{Guid.NewGuid():N}{AtomicFile.TemporarySuffix}");
        File.WriteAllBytes(working, new byte[10]);
        // And one of another target is not this save's business.
        var other = temp.File($".other.l2ls.{dead.Id}.{Guid.NewGuid():N}{AtomicFile.TemporarySuffix}");
        File.WriteAllBytes(other, new byte[10]);
        try
        {
            AtomicFile.WriteAllBytes(target, [1, 2, 3]);
            Assert.False(File.Exists(orphan));
            Assert.True(File.Exists(working));
            Assert.True(File.Exists(other));
            Assert.Equal([1, 2, 3], File.ReadAllBytes(target));

            // A failing write keeps the old content and leaves nothing behind.
            Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, s =>
            {
                s.Write(new byte[100]);
                throw new InvalidOperationException("interrupted");
            }));
            Assert.Equal([1, 2, 3], File.ReadAllBytes(target));
            Assert.Equal(new[] { working, other }.Order(), Directory.GetFiles(temp.Path, "*" + AtomicFile.TemporarySuffix).Order());
        }
        finally
        {
            live.Kill();
        }
    }
}
