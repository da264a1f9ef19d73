using System.CommandLine;
using L2LOnnx.Cli.Commands;

var root = new RootCommand("l2l: learned optimizers (Andrychowicz et al. 2016) — meta-train in TorchSharp, ship as ONNX, run anywhere")
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
return await root.Parse(args).InvokeAsync();
