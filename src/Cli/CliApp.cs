using System.CommandLine;
using OnnxBn.Cli.Commands;

namespace OnnxBn.Cli;

/// <summary>
/// The onnxbn command line, runnable in-process: tests call <see cref="Run(string[], TextWriter, TextWriter)"/>
/// with their own writers and get the exit code back, exactly as the executable would return it.
/// </summary>
public static class CliApp
{
    /// <summary>Runs one onnxbn command line as the executable does and returns its exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdout, stderr, CliSeams.None, errorIsTerminal: ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected);

    /// <summary>
    /// Runs with an explicit answer to "is stderr a terminal?", which decides between a redrawn progress bar and plain
    /// progress lines (tests pass true to see what a terminal would show).
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool errorIsTerminal) =>
        Run(args, stdout, stderr, CliSeams.None, errorIsTerminal);

    /// <summary>Runs one command line with <paramref name="seams"/> (an interrupt, a fold pass) in place of the defaults.</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, CliSeams seams, bool errorIsTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(args);
        args = CommandLineRewrites.Apply(args, stderr);
        var console = new CliConsole(stdout, stderr, verbose: args.Contains("--verbose"), errorIsTerminal,
            quiet: args.Contains("--quiet") || args.Contains("-q"));
        var root = BuildRoot(console, seams);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
                stderr.WriteLine($"error: {error.Message}");
            stderr.WriteLine("Run 'onnxbn --help' for usage.");
            return (int)ExitCode.Usage;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception ex)
        {
            return ExceptionExitCodes.Report(ex, console);
        }
    }

    internal static RootCommand BuildRoot(CliConsole console, CliSeams seams)
    {
        var root = new RootCommand(
            "onnxbn: fold BatchNormalization into neighbouring layers, verify the result with ONNX Runtime, run, " +
            "benchmark and fine-tune ONNX models.\n\n" + ExceptionExitCodes.HelpTable);
        root.Options.Add(CliConsole.VerboseOption);
        root.Options.Add(CliConsole.QuietOption);
        foreach (var command in CommandCatalog.Create(seams))
            root.Subcommands.Add(command.Build(console));
        return root;
    }
}
