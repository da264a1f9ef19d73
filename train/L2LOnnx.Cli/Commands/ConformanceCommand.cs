using System.CommandLine;
using System.Globalization;
using L2LOnnx.Train.Conformance;
using L2LOnnx.Train.Inspection;
using L2LOnnx.Runtime;

namespace L2LOnnx.Cli.Commands;

/// <summary>
/// <c>l2l conformance write|check</c>: records a model's conformance vectors (a deterministic sequence
/// of steps with the expected updates and states), and replays them on the runtime's engines.
/// </summary>
internal static class ConformanceCommand
{
    public static Command Create() => new("conformance", "record a model's conformance vectors, or check a model against them")
    {
        WriteCommand(),
        CheckCommand(),
    };

    private static Command WriteCommand()
    {
        var model = new Option<string>("--model") { Description = "contract-v1 ONNX optimizer", Required = true };
        var output = new Option<string?>("--out") { Description = "vectors file to write (default: <model>.conformance.json next to the model)" };
        var coordinates = new Option<int>("--coordinates") { Description = "N, coordinates per step", DefaultValueFactory = _ => 64 }.AtLeast(1);
        var steps = new Option<int>("--steps") { Description = "steps from the all-zero state", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var stateEvery = new Option<int>("--state-every") { Description = "record the full state after step 1, every K steps and the last", DefaultValueFactory = _ => 10 }.AtLeast(1);
        var seed = CommonOptions.Seed();
        var command = new Command("write", "record expected updates and states (ONNX Runtime, cross-checked by TorchSharp when the model imports)")
        {
            model, output, coordinates, steps, stateEvery, seed,
        };
        command.SetAction(result =>
        {
            var modelPath = result.GetValue(model)!;
            var path = result.GetValue(output) ?? ConformanceFile.DefaultPath(modelPath);
            ConformanceVectors vectors;
            try
            {
                vectors = ModelConformance.Write(modelPath, path, new ConformanceSettings
                {
                    Coordinates = result.GetValue(coordinates),
                    Steps = result.GetValue(steps),
                    StateEvery = result.GetValue(stateEvery),
                    Seed = result.GetValue(seed),
                });
            }
            catch (Exception e) when (IsUserError(e))
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ErrorExitCode;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {path} ({new FileInfo(path).Length / 1024.0:0.0} KB): {vectors.Steps.Count} steps x {vectors.Coordinates} coordinates, " +
                $"states after steps {string.Join(", ", vectors.Steps.Select((s, i) => (s, i + 1)).Where(x => x.s.StateAfter is not null).Select(x => x.Item2))}, " +
                $"gradients around e^-p = {vectors.Threshold:R}"));
            Console.WriteLine($"expected values: {vectors.Producer}");
            Console.WriteLine(vectors.CrossCheck switch
            {
                { Engine: { } engine, LargestDifference: { } difference } => string.Create(CultureInfo.InvariantCulture, $"cross-check: {engine} agrees to {difference:E2}"),
                { Skipped: { } reason } => $"cross-check skipped: {reason}",
                _ => "cross-check: none",
            });
            return 0;
        });
        return command;
    }

    private static Command CheckCommand()
    {
        var vectorsOption = new Option<string>("--vectors") { Description = "conformance vectors (JSON) to replay", Required = true };
        var model = new Option<string?>("--model") { Description = "model to check (default: the file the vectors name, next to them)" };
        var command = new Command("check", "replay conformance vectors on every runtime engine; exit code 1 if any differs by more than the tolerance, 2 if the check cannot run")
        {
            vectorsOption, model,
        };
        command.SetAction(result =>
        {
            IReadOnlyList<ConformanceReport> reports;
            try
            {
                reports = ModelConformance.Check(result.GetValue(vectorsOption)!, result.GetValue(model));
            }
            catch (Exception e) when (IsUserError(e))
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ErrorExitCode;
            }
            foreach (var report in reports) Console.WriteLine(report);
            return reports.All(r => r.Passed) ? 0 : 1;
        });
        return command;
    }

    /// <summary>Exit code when the check could not run (1 means it ran and a difference exceeded the tolerance).</summary>
    private const int ErrorExitCode = 2;

    /// <summary>Errors that are about the user's files or arguments: one line, no stack trace.</summary>
    private static bool IsUserError(Exception e) =>
        e is IOException or InvalidDataException or ContractViolationException or ArgumentException or InvalidOperationException or UnauthorizedAccessException;
}
