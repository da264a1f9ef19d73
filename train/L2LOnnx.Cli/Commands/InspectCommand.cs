using System.CommandLine;
using L2LOnnx.Train.Inspection;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l inspect FILE</c>: the contract summary, metadata, operator counts, weight count, the runtime
/// engine that will run the file and why, and whether it imports into TorchSharp; as text or JSON.
/// </summary>
internal static class InspectCommand
{
    /// <summary>Exit code of a file that is ONNX but breaks contract v1.</summary>
    private const int ContractBrokenExitCode = 1;

    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "ONNX file to inspect" };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of text (for scripts)" };
        var command = new Command("inspect", "describe an ONNX optimizer file: contract, metadata, operators, weights, engine (exit code 1 if it breaks contract v1, 2 if it is not ONNX)")
        {
            file, json,
        };
        command.SetAction(result => CommonOptions.ReportInputErrors(() =>
        {
            var inspection = ModelInspection.Of(result.GetValue(file)!);
            if (result.GetValue(json)) inspection.WriteJson(Console.Out);
            else inspection.Write(Console.Out);
            return inspection.Contract is null ? ContractBrokenExitCode : 0;
        }));
        return command;
    }
}
