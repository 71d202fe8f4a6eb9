using System.Text.Json;
using System.Text.Json.Nodes;
using System.CommandLine;
using OnnxBn.Cli.Options;
using OnnxBn.Cli.Rendering;
using OnnxBn.Folding;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// <c>onnxbn fold model.onnx [-o out.onnx] [--lower-unfolded] [--no-scale-through] [--json [FILE]] [--only backward|forward]</c>: folds every
/// BatchNormalization that can be folded exactly, writes the result (default <c>model.folded.onnx</c> next to the
/// input; the input is never touched) and reports every BN's fate with parameter and node totals. With
/// <c>--verify</c> (and the input/tolerance options of <c>onnxbn verify</c>) it first checks the folded model against
/// the original through ONNX Runtime and writes it only if they are equivalent (otherwise exit 1, nothing written).
/// </summary>
/// <param name="fold">The fold pass to run: <see cref="FoldPass.Run"/> (tests inject a broken rule through it).</param>
internal sealed class FoldCommand(Func<OnnxModel, FoldOptions, FoldReport> fold) : ICliCommand
{
    private static readonly Argument<string> ModelArgument = new("model") { Description = "The .onnx model to fold." };

    private static readonly Option<string?> OutputOption = new("--output", "-o")
    {
        HelpName = "FILE",
        Description = "Where to write the folded model (default: <model>.folded.onnx next to the input).",
    };

    private static readonly Option<bool> LowerOption = new("--lower-unfolded")
    {
        Description = "Rewrite each BN that cannot be folded as one Mul and one Add with precomputed scale and shift.",
    };

    private static readonly Option<bool> NoScaleThroughOption = new("--no-scale-through")
    {
        Description = "Keep BNs that feed an activation (BN -> ReLU -> Conv, DenseNet, pre-activation ResNets) instead of turning each into " +
                      "Add(t/s) with its scale moved into the next layer. ONNX Runtime at ENABLE_ALL on CPU runs BN -> ReLU as one blocked-layout " +
                      "convolution, where the Add costs layout reorders.",
    };

    private static readonly Option<string?> JsonOption = CommonOptions.Json();

    internal static readonly Option<bool> FreezeOption = new("--freeze-initializer-inputs")
    {
        Description = "Treat initializers that are also graph inputs (IR 3 models, keep_initializers_as_inputs=True) as constants: " +
                      "remove them from the inputs so their BNs can fold (the caller can no longer override them).",
    };

    private static readonly Option<string?> OnlyOption = CreateOnlyOption();

    private static readonly Option<bool> VerifyOption = new("--verify")
    {
        Description = "Run original and folded model through ONNX Runtime (see onnxbn verify) and write the folded model only if they are equivalent.",
    };

    /// <summary>The opt-in for trusted layouts whose external data lies outside the model's folder (shared with inspect).</summary>
    internal static readonly Option<bool> AllowOutsideOption = new("--allow-external-data-outside")
    {
        Description = "Read external data files that lie outside the model's folder (through .. or a symbolic link). " +
                      "Refused by default: a model is untrusted input; allow it only for a layout you made.",
    };

    private readonly EquivalenceCliOptions _equivalence = new();

    public Command Build(CliConsole console)
    {
        var command = new Command("fold", "Fold BatchNormalization into neighbouring Conv/Gemm/MatMul layers and write the folded model.");
        command.Arguments.Add(ModelArgument);
        foreach (var option in new Option[] { OutputOption, LowerOption, NoScaleThroughOption, JsonOption, OnlyOption, FreezeOption, VerifyOption, AllowOutsideOption })
            command.Options.Add(option);
        _equivalence.AddTo(command);
        command.SetAction(parsed => Execute(parsed, console));
        return command;
    }

    private static Option<string?> CreateOnlyOption()
    {
        var option = new Option<string?>("--only")
        {
            HelpName = "DIRECTION",
            Description = "Fold in one direction only: backward (into the producing layer) or forward (into consumers).",
        };
        option.AcceptOnlyFromAmong("backward", "forward");
        return option;
    }

    private int Execute(ParseResult parsed, CliConsole console)
    {
        var verify = parsed.GetValue(VerifyOption);
        if (!verify && _equivalence.AnyGiven(parsed))
            throw new UsageException("input, tolerance, device and --junit options apply with --verify only.");
        var equivalence = verify ? _equivalence.Bind(parsed, console) : null;
        string input = parsed.GetValue(ModelArgument)!;
        string output = parsed.GetValue(OutputOption) ?? ModelPaths.Sibling(input, "folded");
        ModelPaths.RefuseOverwrite(input, output);
        if (Directory.Exists(output))
            throw new UsageException($"cannot write {output}: it is a folder; name a model file with -o.");
        var options = new FoldOptions
        {
            LowerUnfolded = parsed.GetValue(LowerOption),
            ScaleThroughActivations = !parsed.GetValue(NoScaleThroughOption),
            FreezeInitializerInputs = parsed.GetValue(FreezeOption),
            Directions = parsed.GetValue(OnlyOption) switch
            {
                "backward" => FoldDirections.BackwardOnly,
                "forward" => FoldDirections.ForwardOnly,
                _ => FoldDirections.Both,
            },
        };

        var model = OnnxModel.Load(input, LoadOptions(parsed));
        var original = equivalence is null ? null : model.Clone();
        var report = fold(model, options);
        var jsonFile = parsed.GetValue(JsonOption);
        var json = jsonFile == CommonOptions.Stdout;
        if (!json)
            WriteReport(report, console.Out);

        var (code, verification) = original is null
            ? (ExitCode.Ok, null)
            : Verify(original, model, input, equivalence! with { Folds = report }, console, json, parsed.GetValue(_equivalence.JUnit));
        if (jsonFile is not null)
        {
            var reportJson = ToJson(report, verification);
            if (json)
                console.Out.WriteLine(reportJson);
            else
                ReportFile.Write(jsonFile, reportJson);
        }
        if (code != ExitCode.Ok)
        {
            console.Error.WriteLine($"not written: {output} (the folded model was not verified equivalent)");
            return (int)code;
        }
        Save(model, output);
        (json ? console.Error : console.Out).WriteLine($"wrote {output}");
        return (int)ExitCode.Ok;
    }

    /// <summary>
    /// Compares the original with the folded model in memory; the verification report goes to stdout (stderr when
    /// stdout carries the JSON fold report). Returns 0 when equivalent, 1 when not, or the code of what stopped it,
    /// with the report when the comparison ran.
    /// </summary>
    private static (ExitCode Code, EquivalenceReport? Report) Verify(OnnxModel original, OnnxModel folded, string input,
        EquivalenceOptions options, CliConsole console, bool json, string? junit)
    {
        var progress = console.Progress("verify");
        try
        {
            console.InitializeRuntime();
            var verification = EquivalenceChecker.Compare(ModelSource.FromModel(original, input),
                ModelSource.FromModel(folded, "folded"), options with { Progress = progress });
            progress.Finish();
            var writer = json ? console.Error : console.Out;
            writer.WriteLine();
            writer.Write(verification.ToText(console.Verbose));
            foreach (var hint in VerifyHints.For(verification, options))
                writer.WriteLine(hint);
            if (junit is not null)
                ReportFile.Write(junit, verification.ToJUnitXml());
            return (verification.IsEquivalent ? ExitCode.Ok : ExitCode.CheckFailed, verification);
        }
        catch (Exception ex)
        {
            progress.Finish();
            return ((ExitCode)EquivalenceErrors.Report(ex, console), null);
        }
    }

    /// <summary>
    /// The fold report as JSON; after <c>--verify</c> with a <c>verification</c> object that is <c>onnxbn verify --json</c>'s
    /// report (its <c>layers</c> and <c>firstDivergence</c> with <c>--layers</c>).
    /// </summary>
    private static string ToJson(FoldReport report, EquivalenceReport? verification)
    {
        if (verification is null)
            return report.ToJson();
        var root = JsonNode.Parse(report.ToJson())!.AsObject();
        root["verification"] = JsonNode.Parse(verification.ToJson());
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The load options the command line asks for.</summary>
    internal static ModelLoadOptions LoadOptions(ParseResult parsed) =>
        new() { AllowExternalDataOutsideModelFolder = parsed.GetValue(AllowOutsideOption) };

    // A failed write is a ModelWriteException (an IOException): exit code 74 with the OS's reason, nothing left behind.
    private static void Save(OnnxModel model, string output) => model.Save(output);

    /// <summary>
    /// One row per BN: its name, kind and what happened (<paramref name="outcomeHeader"/>), with a Scope column
    /// ("main/If 'cond'/then_branch") when a BN lives in a sub-graph.
    /// </summary>
    internal static TextTable FatesTable(FoldReport report, string outcomeHeader)
    {
        bool scoped = report.Fates.Any(f => f.Scope != BnFate.MainScope);
        var table = scoped ? new TextTable("Scope", "BatchNorm", "Kind", outcomeHeader) : new TextTable("BatchNorm", "Kind", outcomeHeader);
        foreach (var fate in report.Fates)
        {
            if (scoped) table.Add(fate.Scope, fate.Node, fate.Kind, fate.Description);
            else table.Add(fate.Node, fate.Kind, fate.Description);
        }
        return table;
    }

    /// <summary>The fates table and the totals, as the human report prints them.</summary>
    internal static void WriteReport(FoldReport report, TextWriter writer)
    {
        if (report.Fates.Count == 0)
        {
            writer.WriteLine("No BatchNormalization (or BN-like Mul/Add) found.");
        }
        else
        {
            FatesTable(report, "Outcome").WriteTo(writer);
        }
        writer.WriteLine();
        if (report.FrozenInputs.Count > 0)
            writer.WriteLine($"Frozen initializer inputs: {report.FrozenInputs.Count} ({string.Join(", ", report.FrozenInputs.Take(5))}{(report.FrozenInputs.Count > 5 ? ", ..." : "")}): {report.FreezeReason}");
        writer.WriteLine($"BNs: {report.Folded} folded, {report.Lowered} lowered, {report.Kept} kept");
        writer.WriteLine($"Nodes: {report.NodesBefore} -> {report.NodesAfter}");
        var totals = new TextTable("Parameters", "Before", "After");
        totals.RightAligned.UnionWith([1, 2]);
        totals.Add("Total", Numbers.Count(report.Before.Total), Numbers.Count(report.After.Total));
        totals.Add("Trainable", Numbers.Count(report.Before.Trainable), Numbers.Count(report.After.Trainable));
        totals.Add("Non-trainable", Numbers.Count(report.Before.NonTrainable), Numbers.Count(report.After.NonTrainable));
        totals.WriteTo(writer);
    }
}
