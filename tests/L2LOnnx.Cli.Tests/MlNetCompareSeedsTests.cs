namespace L2LOnnx.Cli.Tests;

/// <summary><c>l2l mlnet-compare --seeds</c>: the count is checked by the parser, before any data is loaded or trainer fitted.</summary>
public sealed class MlNetCompareSeedsTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public async Task SeedsBelowOneAreRefusedByTheFlagBeforeAnyWork(string seeds)
    {
        var result = await Cli.Run("mlnet-compare", "--seeds", seeds, "--out", "/nonexistent/mlnet-compare");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains($"--seeds must be >= 1 (got {seeds})", result.Error);
    }
}
