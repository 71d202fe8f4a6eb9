using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Cli.Options;

/// <summary>
/// Exit codes for what stops a comparison before it has a verdict, beyond <see cref="ExceptionExitCodes"/>: a model
/// ONNX Runtime cannot load is 3 when the model is at fault (bad protobuf, invalid graph, unknown operator), 6 when
/// it is valid but has an operator ONNX Runtime has no kernel for, and 5 otherwise; data that does not fit the model (an unknown --input name, images for a non-image input) is 2.
/// </summary>
internal static class EquivalenceErrors
{
    public static int Report(Exception ex, CliConsole console)
    {
        ExitCode? code = ex switch
        {
            ModelLoadException { IsUnsupportedModel: true } => ExitCode.UnsupportedModel,
            ModelLoadException load => load.IsInvalidModel ? ExitCode.InvalidModel : ExitCode.RuntimeError,
            InputMismatchException => ExitCode.Usage,
            _ => null,
        };
        if (code is null)
            return ExceptionExitCodes.Report(ex, console);
        console.Error.WriteLine($"error: {InputHints.MessageWithHint(ex).ReplaceLineEndings(" ").Trim()}");
        if (console.Verbose)
            console.Error.WriteLine(ex.ToString());
        return (int)code;
    }
}
