using OnnxBn.Folding;

namespace OnnxBn.Cli;

/// <summary>
/// What an in-process caller can hand one run of the CLI besides its arguments and writers. None of it can be reached
/// from the command line: the executable runs with <see cref="None"/> (its Ctrl-C and SIGTERM reach bench and transfer
/// through <see cref="InterruptSignals"/>), tests pass their own.
/// </summary>
internal sealed record CliSeams
{
    /// <summary>The executable's: no extra interrupt, the standard fold pass.</summary>
    public static CliSeams None { get; } = new();

    /// <summary>Cancelling it stops a running bench or transfer exactly as the first Ctrl-C would.</summary>
    public CancellationToken Interrupt { get; init; }

    /// <summary>
    /// The fold pass <c>onnxbn fold</c> runs instead of <see cref="FoldPass.Run"/> (tests run the real driver with a
    /// deliberately broken rule to reach exit 70 end to end).
    /// </summary>
    public Func<OnnxModel, FoldOptions, FoldReport> Fold { get; init; } = FoldPass.Run;
}
