using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Inputs;

namespace OnnxBn.Cli.Options;

/// <summary>
/// The libraries say what would make the inputs fit (<see cref="InputRemedy"/>); the command line knows which of
/// its options gives it.
/// </summary>
internal static class InputHints
{
    /// <summary>The exception's message, with the option that remedies it where the exception names one.</summary>
    public static string MessageWithHint(Exception ex) => ex switch
    {
        InputMismatchException mismatch => WithHint(mismatch.Message, mismatch.Remedy),
        BenchmarkSetupException setup => WithHint(setup.Message, setup.Remedy),
        _ => ex.Message,
    };

    private static string WithHint(string message, InputRemedy remedy) => remedy switch
    {
        InputRemedy.Shape => $"{message.TrimEnd('.')} (--shape NAME=DIMS).",
        InputRemedy.TensorFile => $"{message.TrimEnd('.')} (--input NAME=FILE, or --inputs DIR).",
        InputRemedy.BatchSize => $"{message.TrimEnd('.')} (--batch).",
        _ => message,
    };
}
