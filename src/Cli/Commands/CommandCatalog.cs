namespace OnnxBn.Cli.Commands;

/// <summary>Every sub-command, in the order --help lists them.</summary>
internal static class CommandCatalog
{
    /// <summary>The sub-commands of one run, wired to its <paramref name="seams"/>.</summary>
    public static IReadOnlyList<ICliCommand> Create(CliSeams seams) =>
    [
        new FoldCommand(seams.Fold),
        new VerifyCommand(),
        new InspectCommand(),
        new RunCommand(),
        new BenchCommand(seams.Interrupt),
        new TransferCommand(seams.Interrupt),
    ];
}
