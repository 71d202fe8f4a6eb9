using System.CommandLine;

namespace OnnxBn.Cli.Commands;

/// <summary>One onnxbn sub-command: builds its System.CommandLine definition bound to a console.</summary>
internal interface ICliCommand
{
    Command Build(CliConsole console);
}
