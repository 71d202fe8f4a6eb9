namespace OnnxBn.Cli.Commands;

/// <summary>Every sub-command, in the order --help lists them.</summary>
internal static class CommandCatalog
{
    public static IReadOnlyList<ICliCommand> All { get; } =
    [
        new FoldCommand(),
        new VerifyCommand(),
        new InspectCommand(),
        new RunCommand(),
        new BenchCommand(),
        new TransferCommand(),
    ];
}
