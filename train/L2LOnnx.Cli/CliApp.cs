using System.CommandLine;
using L2LOnnx.Cli.Commands;

namespace L2LOnnx.Cli;

/// <summary>The <c>l2l</c> command tree, built once per invocation (and by tests, in process).</summary>
internal static class CliApp
{
    public static RootCommand Create() => new("l2l: learned optimizers (Andrychowicz et al. 2016) — meta-train in TorchSharp, ship as ONNX, run anywhere")
    {
        QuickstartCommand.Create(),
        MetaTrainCommand.Create(),
        EvaluateCommand.Create(),
        ResultsCommand.Create(),
        MlNetCompareCommand.Create(),
        InspectCommand.Create(),
        ConformanceCommand.Create(),
        BenchCommand.Create(),
    };
}
