namespace L2LOnnx.Cli.Tests;

/// <summary><c>l2l trace</c> prints one row per interval with the learned log step of the shipped default, and refuses what it cannot trace.</summary>
public sealed class TraceCommandTests
{
    [Fact]
    public async Task TheShippedDefaultIsTracedWithItsLearnedLogStep()
    {
        var result = await Cli.Run("trace", "--model", RepositoryModels.PathOf("general.onnx"), "--problem", "quadratic", "--steps", "30", "--every", "10", "--problems", "2");

        Assert.Equal(0, result.ExitCode);
        var rows = result.Output.Split('\n').Where(l => l.TrimStart().Split(' ')[0] is "10" or "20" or "30").ToArray();
        Assert.Equal(3, rows.Length);
        Assert.All(rows, row => Assert.DoesNotContain("(none)", row));
        Assert.Contains("2 x quadratic", result.Output);
    }

    [Fact]
    public async Task TheMixtureAndAFileThatIsNotAModelAreRefusedInOneLine()
    {
        var mixture = await Cli.Run("trace", "--model", RepositoryModels.PathOf("general.onnx"), "--problem", "general");
        Assert.Equal(2, mixture.ExitCode);
        Assert.Contains("trace one of its held-out families", mixture.Error);

        var readme = Path.Combine(DebianPython.RepositoryRoot(), "README.md");
        var text = await Cli.Run("trace", "--model", readme, "--problem", "quadratic", "--steps", "5");
        Assert.Equal(2, text.ExitCode);
        Assert.StartsWith("error: ", text.Error.Trim());
        Assert.DoesNotContain("   at ", text.Error);
    }
}
