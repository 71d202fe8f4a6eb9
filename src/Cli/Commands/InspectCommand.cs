using System.CommandLine;
using System.Text.Json;
using OnnxBn.Cli.Options;
using OnnxBn.Cli.Rendering;
using OnnxBn.Folding;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// <c>onnxbn inspect model.onnx [--json [FILE]]</c>: a Keras-summary()-like view of a model — one row per node with its
/// output shape and parameter count, parameter totals (BN moving mean/variance non-trainable), opsets, producer,
/// inputs and outputs with symbolic dims, and what <c>fold</c> would do to each BatchNormalization.
/// </summary>
internal sealed class InspectCommand : ICliCommand
{
    private static readonly Argument<string> ModelArgument = new("model") { Description = "The .onnx model to inspect." };

    private static readonly Option<string?> JsonOption = CommonOptions.Json();

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public Command Build(CliConsole console)
    {
        var command = new Command("inspect", "Summarize a model: layers, shapes, parameters, opsets, and what fold would do to each BN.");
        command.Arguments.Add(ModelArgument);
        command.Options.Add(JsonOption);
        command.Options.Add(FoldCommand.FreezeOption);
        command.Options.Add(FoldCommand.AllowOutsideOption);
        command.SetAction(parsed => Execute(parsed, console));
        return command;
    }

    private static int Execute(ParseResult parsed, CliConsole console)
    {
        var model = OnnxModel.Load(parsed.GetValue(ModelArgument)!, FoldCommand.LoadOptions(parsed));
        var summary = ModelSummary.Of(model);
        // The preview folds a copy: the loaded model (and the file) stay as they are.
        var preview = FoldPass.Run(model.Clone(), new FoldOptions { FreezeInitializerInputs = parsed.GetValue(FoldCommand.FreezeOption) });

        var json = parsed.GetValue(JsonOption);
        if (json == CommonOptions.Stdout)
            console.Out.WriteLine(ToJson(model, summary, preview));
        else
            WriteText(model, summary, preview, console.Out);
        if (json is not null && json != CommonOptions.Stdout)
            ReportFile.Write(json, ToJson(model, summary, preview));
        return (int)ExitCode.Ok;
    }

    private static void WriteText(OnnxModel model, ModelSummary summary, FoldReport preview, TextWriter writer)
    {
        writer.WriteLine($"Model: {model.DisplayName}");
        writer.WriteLine($"Producer: {Producer(model)}   IR version: {model.IrVersion}");
        writer.WriteLine($"Opsets: {string.Join(", ", summary.Opsets)}");
        writer.WriteLine($"Inputs: {string.Join(", ", summary.Inputs)}");
        writer.WriteLine($"Outputs: {string.Join(", ", summary.Outputs)}");
        writer.WriteLine();

        var layers = new TextTable("Node", "Op", "Output shape", "Params");
        layers.RightAligned.Add(3);
        foreach (var row in summary.Rows)
            layers.Add(row.Name, row.Op, row.OutputShape, Numbers.Count(row.Parameters));
        layers.WriteTo(writer);
        writer.WriteLine();
        writer.WriteLine($"Total params: {Numbers.Count(preview.Before.Total)}");
        writer.WriteLine($"Trainable params: {Numbers.Count(preview.Before.Trainable)}");
        writer.WriteLine($"Non-trainable params: {Numbers.Count(preview.Before.NonTrainable)}");
        writer.WriteLine();

        if (summary.Scopes.Count > 1)
        {
            // Sub-graph nodes are not in the layer table: this is where their BNs and weights show.
            var scopes = new TextTable("Scope", "Nodes", "BatchNorms", "Params read", "Params held");
            scopes.RightAligned.UnionWith([1, 2, 3, 4]);
            foreach (var scope in summary.Scopes)
                scopes.Add(scope.Path, Numbers.Count(scope.Nodes), Numbers.Count(scope.BatchNorms), Numbers.Count(scope.Parameters), Numbers.Count(scope.OwnParameters));
            scopes.WriteTo(writer);
            writer.WriteLine();
        }

        writer.WriteLine($"BatchNorms: {preview.Fates.Count} (fold would fold {preview.Folded}, keep {preview.Kept})");
        if (preview.Fates.Count > 0)
        {
            FoldCommand.FatesTable(preview, "fold would").WriteTo(writer);
            writer.WriteLine($"After fold: {preview.NodesBefore} -> {preview.NodesAfter} nodes, " +
                $"{Numbers.Count(preview.Before.Total)} -> {Numbers.Count(preview.After.Total)} params");
        }
    }

    private static string ToJson(OnnxModel model, ModelSummary summary, FoldReport preview) => JsonSerializer.Serialize(new
    {
        model = model.DisplayName,
        producer = Producer(model),
        irVersion = model.IrVersion,
        opsets = model.OpsetImports.Select(o => new { domain = o.Domain, version = o.Version }),
        inputs = summary.Inputs,
        outputs = summary.Outputs,
        nodes = summary.Rows.Select(r => new { name = r.Name, op = r.Op, outputShape = r.OutputShape, parameters = r.Parameters }),
        parameters = new { total = preview.Before.Total, trainable = preview.Before.Trainable, nonTrainable = preview.Before.NonTrainable },
        scopes = summary.Scopes.Select(s => new { path = s.Path, nodes = s.Nodes, batchNorms = s.BatchNorms, parametersRead = s.Parameters, parametersHeld = s.OwnParameters }),
        batchNorms = preview.Fates.Select(f => new { node = f.Node, scope = f.Scope, kind = f.Kind, outcome = f.Outcome.ToString(), foldWould = f.Description }),
        afterFold = new { nodes = preview.NodesAfter, parameters = preview.After.Total },
    }, JsonOptions);

    private static string Producer(OnnxModel model) =>
        model.ProducerName.Length == 0 ? "(unknown)" : $"{model.ProducerName} {model.ProducerVersion}".TrimEnd();
}
