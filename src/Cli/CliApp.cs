using System.CommandLine;
using OnnxBn.Cli.Commands;

namespace OnnxBn.Cli;

/// <summary>
/// The onnxbn command line, runnable in-process: tests call <see cref="Run(string[], TextWriter, TextWriter, CliSeams)"/>
/// with their own writers and get the exit code back, exactly as the executable would return it.
/// </summary>
public static class CliApp
{
    /// <summary>Runs one onnxbn command line as the executable does and returns its exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, CliSeams.None);

    /// <summary>Runs one command line with <paramref name="seams"/> (an interrupt, a fold pass) in place of the defaults.</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, CliSeams seams)
    {
        var console = new CliConsole(stdout, stderr, verbose: args.Contains("--verbose"),
            errorIsTerminal: ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected);
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
        foreach (var command in CommandCatalog.Create(seams))
            root.Subcommands.Add(command.Build(console));
        return root;
    }
}
