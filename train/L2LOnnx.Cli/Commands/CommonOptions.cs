using System.CommandLine;

namespace L2LOnnx.Cli.Commands;

/// <summary>Options several commands share, with one definition each.</summary>
internal static class CommonOptions
{
    public static Option<int> Threads() => new("--threads")
    {
        Description = "CPU threads for TorchSharp and ONNX Runtime (0 = all cores)",
        DefaultValueFactory = _ => 0,
    };

    public static Option<int> Seed(int fallback = 1) => new("--seed")
    {
        Description = "seed of every random draw; equal seeds give equal runs",
        DefaultValueFactory = _ => fallback,
    };

    public static Option<string> Problem() => new Option<string>("--problem")
    {
        Description = "problem family",
        DefaultValueFactory = _ => "quadratic",
    }.AcceptOnlyFromAmong("quadratic");
}
