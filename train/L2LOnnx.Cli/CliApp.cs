using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using L2LOnnx.Cli.Commands;

namespace L2LOnnx.Cli;

/// <summary>The <c>l2l</c> command tree and how one invocation runs (in <c>Main</c>, and in process in tests).</summary>
internal static class CliApp
{
    /// <summary>Exit code of a bug: an exception no command turned into an input error.</summary>
    public const int UnexpectedErrorExitCode = 1;

    /// <summary>Set to 1 to get the stack trace of an unexpected error.</summary>
    public const string TraceVariable = "L2L_TRACE";

    /// <summary>The widest help output, so it reads well in a wide terminal too.</summary>
    private const int HelpWidth = 100;

    public static RootCommand Create()
    {
        var root = new RootCommand("l2l: learned optimizers (Andrychowicz et al. 2016) — meta-train in TorchSharp, ship as ONNX, run anywhere")
        {
            QuickstartCommand.Create(),
            MetaTrainCommand.Create(),
            EvaluateCommand.Create(),
            ResultsCommand.Create(),
            MlNetCompareCommand.Create(),
            InspectCommand.Create(),
            TraceCommand.Create(),
            ConformanceCommand.Create(),
            StampCommand.Create(),
            BenchCommand.Create(),
        };
        NameValues(root);
        foreach (var help in root.Options.OfType<HelpOption>())
            if (help.Action is HelpAction action)
                action.MaxWidth = Math.Min(HelpWidth, TerminalWidth());
        return root;
    }

    /// <summary>
    /// Parses and runs one command line. A parse error (unknown option, a value out of range) prints the
    /// errors and a one-line usage hint, not the whole help, and returns 2; an unexpected exception
    /// prints one line (its stack trace only with <c>L2L_TRACE=1</c>) and returns 1.
    /// </summary>
    public static async Task<int> Run(IReadOnlyList<string> args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                Console.Error.WriteLine($"error: {error.Message}");
            var command = CommandPath(parse.CommandResult);
            Console.Error.WriteLine($"usage: {command} [options]; '{command} --help' lists them");
            return CommonOptions.InputErrorExitCode;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}");
            Console.Error.WriteLine(Environment.GetEnvironmentVariable(TraceVariable) == "1"
                ? e.ToString()
                : $"this is a bug in l2l; run with {TraceVariable}=1 for the stack trace and report it");
            return UnexpectedErrorExitCode;
        }
    }

    /// <summary>"l2l conformance write": the root's name is the executable's, which tests do not share.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is CommandResult command; current = command.Parent)
            if (command.Command is not RootCommand) names.Insert(0, command.Command.Name);
        return string.Join(' ', ["l2l", .. names]);
    }

    /// <summary>
    /// Gives every option without a help name a short one by its type (<c>--steps &lt;n&gt;</c>, not
    /// <c>--steps &lt;steps&gt;</c>), so the option column stays narrow and descriptions keep room on 80 columns.
    /// </summary>
    private static void NameValues(Command command)
    {
        foreach (var option in command.Options.Where(o => o.HelpName is null && o.ValueType != typeof(bool)))
            option.HelpName = option.ValueType == typeof(int) || option.ValueType == typeof(int?) ? "n"
                : option.ValueType == typeof(double) || option.ValueType == typeof(double?) ? "x"
                : PathOptions.Contains(option.Name) ? "path"
                : "value";
        foreach (var subcommand in command.Subcommands) NameValues(subcommand);
    }

    /// <summary>Options whose value is a file or folder.</summary>
    private static readonly HashSet<string> PathOptions = new(StringComparer.Ordinal)
    {
        "--out", "--checkpoint", "--model", "--models", "--vectors", "--optimizer",
    };

    private static int TerminalWidth()
    {
        try
        {
            return Console.IsOutputRedirected || Console.WindowWidth <= 0 ? HelpWidth : Console.WindowWidth;
        }
        catch (IOException)
        {
            return HelpWidth;
        }
    }
}
