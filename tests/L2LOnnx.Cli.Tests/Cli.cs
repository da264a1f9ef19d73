namespace L2LOnnx.Cli.Tests;

/// <summary>Runs <c>l2l</c> in process and captures what it prints (the tests run one at a time, so swapping Console is safe).</summary>
internal static class Cli
{
    /// <summary>What one invocation returned and printed.</summary>
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> Run(params string[] args)
    {
        var (output, error) = (Console.Out, Console.Error);
        using var captured = new StringWriter();
        using var capturedError = new StringWriter();
        Console.SetOut(captured);
        Console.SetError(capturedError);
        try
        {
            var exit = await CliApp.Run(args);
            return new Result(exit, captured.ToString(), capturedError.ToString());
        }
        finally
        {
            Console.SetOut(output);
            Console.SetError(error);
        }
    }
}
