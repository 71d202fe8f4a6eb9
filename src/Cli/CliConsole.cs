using System.CommandLine;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Cli.Rendering;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Cli;

/// <summary>Where a command writes: results to <see cref="Out"/>, diagnostics to <see cref="Error"/>.</summary>
public sealed class CliConsole(TextWriter stdout, TextWriter stderr, bool verbose, bool errorIsTerminal = false, bool quiet = false)
{
    /// <summary>Shown on every command; stack traces are printed only with it.</summary>
    public static readonly Option<bool> VerboseOption = new("--verbose")
    {
        Description = "Print stack traces and extra diagnostics.",
        Recursive = true,
    };

    /// <summary>Shown on every command: no progress display (warnings and errors still go to stderr).</summary>
    public static readonly Option<bool> QuietOption = new("--quiet", "-q")
    {
        Description = "No progress on stderr (warnings and errors are still shown).",
        Recursive = true,
    };

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public bool Verbose { get; } = verbose;

    /// <summary>Whether <see cref="Error"/> is a terminal, where progress can be redrawn in place.</summary>
    public bool ErrorIsTerminal { get; } = errorIsTerminal;

    /// <summary>Whether --quiet was given.</summary>
    public bool Quiet { get; } = quiet;

    /// <summary>
    /// A progress display for a long step on stderr: a bar redrawn in place on a terminal, a plain line per 10 % in a
    /// log file or CI, nothing with --quiet. Call <see cref="ProgressReporter.Finish"/> when the step ends.
    /// </summary>
    internal ProgressReporter Progress(string label) =>
        new(Error, Quiet ? ProgressStyle.Silent : ErrorIsTerminal ? ProgressStyle.Redraw : ProgressStyle.Lines, label);

    /// <summary>
    /// Creates ONNX Runtime's environment (once per process; every command asks for the same settings, so commands
    /// can share a process, as the tests do): its own log lines only at error level unless --verbose.
    /// </summary>
    public void InitializeRuntime(GlobalThreadPools? threadPools = null) =>
        OrtSetup.Initialize(Verbose ? OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING : OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, threadPools);
}
