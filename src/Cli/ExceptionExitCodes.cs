using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Cli;

/// <summary>Turns an exception that escaped a command into one line on stderr and its exit code.</summary>
internal static class ExceptionExitCodes
{
    public const string HelpTable =
        "Exit codes: 0 ok · 1 check failed (verify mismatch) · 2 usage · 3 invalid model/data (missing, unreadable, invalid graph) · " +
        "4 ONNX Runtime or execution provider unavailable · 5 ONNX Runtime error · 6 unsupported model (valid, but an operator or layout onnxbn or ONNX Runtime cannot handle) · " +
        "74 I/O error (disk full, read-only or unwritable output folder; the OS reason is printed) · 70 internal error · 130 interrupted (Ctrl-C/SIGTERM).";

    /// <summary>
    /// Writes one line for <paramref name="ex"/> to stderr ("error: ..." or, for a bug of ours, "internal error: ...
    /// please report it"), the stack trace after it only with --verbose, and returns the exit code.
    /// </summary>
    public static int Report(Exception ex, CliConsole console)
    {
        var code = Classify(ex);
        console.Error.WriteLine(code == ExitCode.InternalError
            ? $"internal error: {MessageOf(ex).TrimEnd('.')}; please report it{(console.Verbose ? ", with the stack trace below" : " (--verbose adds the stack trace)")}."
            : $"error: {MessageOf(ex)}");
        if (console.Verbose)
            console.Error.WriteLine(ex.ToString());
        return (int)code;
    }

    public static ExitCode Classify(Exception ex) => ex switch
    {
        UsageException or InputMismatchException => ExitCode.Usage,
        UnsupportedModelException => ExitCode.UnsupportedModel,
        OnnxModelException => ExitCode.InvalidModel,
        FileNotFoundException or DirectoryNotFoundException or InvalidDataException => ExitCode.InvalidModel,
        NpyFormatException => ExitCode.InvalidModel,
        DeviceUnavailableException => ExitCode.RuntimeUnavailable,
        // The native library could not be loaded (a platform the package has no natives for, a broken install).
        DllNotFoundException or EntryPointNotFoundException => ExitCode.RuntimeUnavailable,
        TypeInitializationException { InnerException: DllNotFoundException or EntryPointNotFoundException } => ExitCode.RuntimeUnavailable,
        // ONNX Runtime's verdict on the model itself: unparsable or invalid is the model's fault; an operator it has no
        // kernel for is a valid model it does not support.
        OnnxRuntimeException ort => OrtErrors.CodeOf(ort) switch
        {
            OrtErrorCode.NoSuchFile or OrtErrorCode.InvalidProtobuf or OrtErrorCode.InvalidGraph => ExitCode.InvalidModel,
            OrtErrorCode.NotImplemented => ExitCode.UnsupportedModel,
            _ => ExitCode.RuntimeError,
        },
        OperationCanceledException => ExitCode.RuntimeError,
        // What is left of IOException (not a missing or malformed file, mapped above) is the OS refusing a read or write.
        IOException or UnauthorizedAccessException => ExitCode.IoError,
        _ => ExitCode.InternalError,
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>The one line to print: the library's message, plus what to do with this command line where we know it.</summary>
    private static string MessageOf(Exception ex) => ex switch
    {
        DeviceUnavailableException device => $"{device.Message} Use --device cpu, or the GPU build of onnxbn " +
            "(docs/runtime.md, CUDA and the GPU build of the tool: dotnet pack src/Cli -p:OnnxBnGpu=true) on a machine with CUDA and cuDNN.",
        OnnxRuntimeException ort => $"ONNX Runtime error {OrtErrors.CodeOf(ort)}: {OrtErrors.OneLine(ort.Message)}",
        InputMismatchException or BenchmarkSetupException => OneLine(Options.InputHints.MessageWithHint(ex)),
        // The library names its load option; the command line's flag for it is this one (fold and inspect have it).
        ExternalDataOutsideFolderException outside => OneLine(new OnnxModelException(outside.FilePath,
            $"{outside.Where}; {ExternalDataOutsideFolderException.AllowIt($"onnxbn fold/inspect {Commands.FoldCommand.AllowOutsideOption.Name}")}",
            outside.Element).Message),
        _ => OneLine(ex.Message),
    };
}
