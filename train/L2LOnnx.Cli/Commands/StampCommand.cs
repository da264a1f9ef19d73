using System.CommandLine;
using System.Globalization;
using L2LOnnx.Runtime.Onnx.Writing;
using L2LOnnx.Train.Conformance;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l stamp FILE...</c>: writes <c>l2l.metadata_sha256</c> into existing optimizer files
/// (<see cref="ModelStamp"/>), in place through a temporary file; already stamped files are left alone.
/// </summary>
internal static class StampCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "contract-v1 ONNX optimizer files to stamp in place", Arity = ArgumentArity.OneOrMore };
        var command = new Command("stamp",
            "add l2l.metadata_sha256 to optimizer files exported before it existed, so a truncated copy is refused at load; " +
            "refuses files whose weights do not match their l2l.weights_sha256 (exit code 2 if any file is refused)")
        {
            files,
        };
        command.SetAction(result =>
        {
            var refused = 0;
            foreach (var path in result.GetValue(files)!)
            {
                var code = CommonOptions.ReportInputErrors(() =>
                {
                    var written = ModelStamp.StampFile(path);
                    Console.WriteLine(written ? string.Create(CultureInfo.InvariantCulture, $"stamped {path} ({new FileInfo(path).Length:N0} bytes)") : $"already stamped {path}");
                    var vectors = ConformanceFile.DefaultPath(path);
                    if (written && File.Exists(vectors))
                        Console.WriteLine($"  {vectors} names the old bytes: re-record it with 'l2l conformance write --model {path}'");
                    return 0;
                });
                if (code != 0) refused++;
            }
            return refused == 0 ? 0 : CommonOptions.InputErrorExitCode;
        });
        return command;
    }
}
