using System.Diagnostics;

namespace L2LOnnx.Runtime.Tests;

/// <summary>
/// runtime/L2LOnnx.Runtime.Cuda.Sample, the build against ONNX Runtime's GPU package, runs; on a
/// machine without a GPU (CI, every machine of this project) it stops with the runtime's documented
/// CUDA error, and on one with a GPU it steps on CUDA.
/// </summary>
public sealed class CudaSampleTests
{
    [CudaSampleBuiltFact]
    public void TheCudaBuildStepsOnTheGpuOrFailsWithTheRuntimesCudaError()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CudaSampleBuiltFactAttribute.SamplePath()!);
        start.ArgumentList.Add(Path.Combine(DebianPython.RepositoryRoot(), "models", "quadratic.onnx"));
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the CUDA sample did not finish in two minutes");
        if (process.ExitCode == 0)
        {
            Assert.Contains("ONNX Runtime (CUDA device 0)", output);
            return;
        }
        Assert.True(process.ExitCode == 2, $"exit code {process.ExitCode}:\n{output}\n{error.Result}");
        Assert.Contains("the CUDA execution provider is not available", error.Result);
    }
}

/// <summary>A fact skipped, with the reason, when the CUDA sample has not been built (building the solution builds it).</summary>
public sealed class CudaSampleBuiltFactAttribute : FactAttribute
{
    public CudaSampleBuiltFactAttribute()
    {
        if (SamplePath() is null)
            Skip = "runtime/L2LOnnx.Runtime.Cuda.Sample is not built in this configuration: build the solution (dotnet build L2LOnnx.sln), as CI does";
    }

    /// <summary>The sample built in the test assembly's configuration, or null.</summary>
    public static string? SamplePath()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(DebianPython.RepositoryRoot(), "runtime", "L2LOnnx.Runtime.Cuda.Sample", "bin", configuration, "net10.0", "L2LOnnx.Runtime.Cuda.Sample.dll");
        return File.Exists(path) ? path : null;
    }
}
