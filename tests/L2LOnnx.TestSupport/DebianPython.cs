using System.Diagnostics;

namespace L2LOnnx.TestSupport;

/// <summary>
/// Debian's Python (<c>/usr/bin/python3</c>) with the official onnx package (python3-onnx) and PyTorch
/// (python3-torch): the independent tools the interop tests check our files against.
/// </summary>
public static class DebianPython
{
    public const string Executable = "/usr/bin/python3";

    private static readonly Lazy<bool> onnx = new(() => CanImport("onnx"));
    private static readonly Lazy<bool> torchAndOnnx = new(() => CanImport("onnx, torch"));

    /// <summary>Whether python3-onnx is installed.</summary>
    public static bool HasOnnx => onnx.Value;

    /// <summary>Whether python3-onnx and python3-torch are installed.</summary>
    public static bool HasTorch => torchAndOnnx.Value;

    /// <summary>Runs Python with <paramref name="arguments"/>; returns the exit code and both outputs.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>The repository root (the folder holding L2LOnnx.sln), found from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "L2LOnnx.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no L2LOnnx.sln above {AppContext.BaseDirectory}");
    }

    private static bool CanImport(string modules) =>
        File.Exists(Executable) && Run("-c", $"import {modules}").ExitCode == 0;
}
