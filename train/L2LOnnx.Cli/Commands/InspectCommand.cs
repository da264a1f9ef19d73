using System.CommandLine;
using L2LOnnx.Train.Inspection;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l inspect FILE</c>: the contract summary, metadata, operator counts, weight count, the runtime
/// engine that will run the file and why, and whether it imports into TorchSharp.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "ONNX file to inspect" };
        var command = new Command("inspect", "describe an ONNX optimizer file: contract, metadata, operators, weights, engine (exit code 1 if it breaks contract v1, 2 if it is not ONNX)") { file };
        command.SetAction(result =>
        {
            ModelInspection inspection;
            try
            {
                inspection = ModelInspection.Of(result.GetValue(file)!);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            inspection.Write(Console.Out);
            return inspection.Contract is null ? 1 : 0;
        });
        return command;
    }
}
