using System.Diagnostics;

namespace L2LOnnx.Runtime.Tests.Fuzz;

/// <summary>
/// The fuzz suite of issue 11: seeded mutations of the shipped models (byte flips, truncations,
/// duplicated ranges, corrupted length varints) and hostile files written by python3-onnx. Every case
/// must load, or be refused with <see cref="ContractViolationException"/>, within generous time and
/// memory bounds; a loaded one must step or refuse its step with a documented exception; nothing may
/// read the canary file in the working directory that the crafted files name as external data.
/// </summary>
public sealed class FuzzTests
{
    private const int CasesPerKind = 40;
    private static readonly TimeSpan CaseTime = TimeSpan.FromSeconds(10);
    private const long CaseMemory = 1L << 30;
    private static readonly LearnedOptimizerOptions Options = new() { IntraOpThreads = 1 };

    public static TheoryData<string, string> Mutations()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in new[] { "quadratic.onnx", "mnist-mlp.onnx", "general.onnx" })
            foreach (var kind in new[] { "flip", "truncate", "duplicate", "length" })
                data.Add(model, kind);
        return data;
    }

    [Theory]
    [MemberData(nameof(Mutations))]
    public void MutatedShippedModelsLoadOrAreRefusedCleanly(string model, string kind)
    {
        var original = File.ReadAllBytes(RepositoryModels.PathOf(model));
        var random = new Random(HashCode.Combine(model.Length, kind.Length, 2016));
        for (var i = 0; i < CasesPerKind; i++)
        {
            var bytes = Mutate(original, kind, random);
            RunCase($"{model} {kind} #{i}", bytes);
        }
    }

    [OnnxCheckerFact]
    public void HostileFilesFromPythonOnnxAreRefusedAndNeverReadTheCanary()
    {
        using var temp = new TempDirectory();
        var script = Path.Combine(DebianPython.RepositoryRoot(), "tests", "L2LOnnx.Runtime.Tests", "Fuzz", "make_hostile_models.py");
        var (exit, _, error) = DebianPython.Run(script, temp.Path);
        Assert.True(exit == 0, error);
        var canary = Path.Combine(Directory.GetCurrentDirectory(), "l2lonnx-fuzz-canary.bin");
        File.WriteAllBytes(canary, BitConverter.GetBytes(1000f));
        try
        {
            var files = Directory.GetFiles(temp.Path, "*.onnx");
            Assert.True(files.Length >= 8, $"the script wrote {files.Length} files");
            foreach (var file in files)
            {
                var loaded = RunCase(Path.GetFileName(file), File.ReadAllBytes(file));
                Assert.False(loaded, $"{Path.GetFileName(file)} was accepted");
            }
        }
        finally
        {
            File.Delete(canary);
        }
    }

    /// <summary>Loads and, when accepted, steps once; returns whether the model loaded.</summary>
    private static bool RunCase(string name, byte[] bytes)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var loaded = false;
        try
        {
            using var optimizer = LearnedOptimizer.Load(bytes, Options);
            loaded = true;
            using var state = optimizer.CreateState(37);
            var parameters = new float[37];
            try
            {
                optimizer.Step(parameters, Gradients.Spanning(37, 1), state);
            }
            catch (ContractViolationException)
            {
            }
        }
        catch (ContractViolationException)
        {
        }
        catch (NotSupportedException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"{name}: undocumented {e.GetType().Name}: {e.Message}");
        }
        clock.Stop();
        Assert.True(clock.Elapsed < CaseTime, $"{name} took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < CaseMemory, $"{name} allocated over 1 GiB");
        return loaded;
    }

    private static byte[] Mutate(byte[] original, string kind, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (kind)
        {
            case "flip":
                for (var k = random.Next(1, 4); k > 0; k--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case "truncate":
                return bytes[..random.Next(1, bytes.Length)];
            case "duplicate":
                // A range repeated in place: duplicated fields, or garbage where a message ends.
                var start = random.Next(bytes.Length);
                var length = random.Next(1, Math.Min(200, bytes.Length - start) + 1);
                return [.. bytes[..(start + length)], .. bytes[start..(start + length)], .. bytes[(start + length)..]];
            default:
                // A byte with the continuation bit where a length varint may sit: lengths grow past the buffer or shrink.
                var at = random.Next(bytes.Length);
                bytes[at] = (byte)(random.Next(2) == 0 ? bytes[at] | 0x80 : bytes[at] & 0x7F ^ 0x01);
                return bytes;
        }
    }
}
