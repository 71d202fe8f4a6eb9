using System.CommandLine;
using OnnxBn.Cli.Options;
using OnnxBn.Cli.Rendering;
using OnnxBn.Folding;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// <c>onnxbn verify original.onnx candidate.onnx</c>: runs both through ONNX Runtime on the same inputs and compares
/// every output; exit 0 when equivalent, 1 when not. With one model and <c>--against-device</c>, compares devices.
/// </summary>
internal sealed class VerifyCommand : ICliCommand
{
    public Command Build(CliConsole console)
    {
        var original = new Argument<string>("original") { Description = "The reference model (.onnx)." };
        var candidate = new Argument<string?>("candidate")
        {
            Description = "The model to check against it (omit with --against-device to compare one model on two devices).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var shared = new EquivalenceCliOptions();
        var json = CommonOptions.Json();
        var foldReport = new Option<string?>("--fold-report")
        {
            Description = "The JSON report of the fold that made the candidate (onnxbn fold --json FILE): --layers names the folds " +
                          "from it instead of from a fold of a copy of the original with the default options.",
            HelpName = "FILE",
        };
        var command = new Command("verify",
            "Check that two models compute the same outputs with ONNX Runtime (graph optimizations disabled by default). " +
            EquivalenceCliOptions.Summary + " " + ExceptionExitCodes.HelpTable);
        command.Arguments.Add(original);
        command.Arguments.Add(candidate);
        shared.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(foldReport);
        command.SetAction(parse =>
        {
            try
            {
                var progress = console.Progress("verify");
                var options = shared.Bind(parse, console) with { Progress = progress };
                if (parse.GetValue(foldReport) is { } reportFile)
                    options = options with { Folds = ReadFoldReport(reportFile, options) };
                var first = parse.GetValue(original)!;
                var second = parse.GetValue(candidate);
                if (second is null && options.ReferenceDevice is null)
                    throw new UsageException("verify needs a candidate model, or --against-device to compare one model on two devices.");
                // The same environment settings as every other command, so commands can share one process (tests).
                console.InitializeRuntime();
                EquivalenceReport report;
                try
                {
                    report = EquivalenceChecker.Compare(ModelSource.FromFile(first), ModelSource.FromFile(second ?? first), options);
                }
                finally
                {
                    progress.Finish();
                }
                Write(console, report, parse.GetValue(json), parse.GetValue(shared.JUnit));
                WriteHints(console, report, options, parse.GetValue(json));
                return (int)(report.IsEquivalent ? ExitCode.Ok : ExitCode.CheckFailed);
            }
            catch (Exception ex)
            {
                return EquivalenceErrors.Report(ex, console);
            }
        });
        return command;
    }

    /// <exception cref="UsageException">Given without --layers, or the file is no fold report.</exception>
    private static FoldReport ReadFoldReport(string path, EquivalenceOptions options)
    {
        if (!options.CompareLayers)
            throw new UsageException("--fold-report applies with --layers (or --reference float64).");
        try
        {
            return FoldReport.FromJson(File.ReadAllText(path));
        }
        catch (FormatException ex)
        {
            throw new UsageException($"--fold-report {path}: {ex.Message}");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"--fold-report {path}: no such file");
        }
    }

    /// <summary>After the table, or on stderr when stdout holds the JSON document: what would settle a failure.</summary>
    private static void WriteHints(CliConsole console, EquivalenceReport report, EquivalenceOptions options, string? json)
    {
        var writer = json == CommonOptions.Stdout ? console.Error : console.Out;
        foreach (var hint in VerifyHints.For(report, options))
            writer.WriteLine(hint);
    }

    /// <summary>The table to stdout (unless JSON goes there), and the JSON and JUnit files when asked.</summary>
    internal static void Write(CliConsole console, EquivalenceReport report, string? json, string? junit)
    {
        if (json == CommonOptions.Stdout)
            console.Out.WriteLine(report.ToJson());
        else
            console.Out.Write(report.ToText(console.Verbose));
        if (json is not null && json != CommonOptions.Stdout)
            ReportFile.Write(json, report.ToJson());
        if (junit is not null)
            ReportFile.Write(junit, report.ToJUnitXml());
    }
}
