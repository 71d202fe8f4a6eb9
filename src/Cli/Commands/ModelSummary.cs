using OnnxBn.Folding;

namespace OnnxBn.Cli.Commands;

/// <summary>One row of <c>inspect</c>'s layer table.</summary>
internal sealed record LayerRow(string Name, string Op, string OutputShape, long Parameters);

/// <summary>
/// One graph of a model with sub-graphs, for <c>inspect</c>'s scope table: its path ("main", "main/If 'cond'/then_branch"),
/// its node and BatchNormalization counts, the parameters its nodes read (weights an enclosing graph holds included),
/// and those it holds itself (its own initializers, which no other scope's count shows).
/// </summary>
internal sealed record ScopeRow(string Path, int Nodes, int BatchNorms, long Parameters, long OwnParameters);

/// <summary>What <c>inspect</c> shows about a model's graph, computed once for the text and JSON forms.</summary>
internal sealed record ModelSummary(IReadOnlyList<LayerRow> Rows, IReadOnlyList<string> Opsets, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)
{
    /// <summary>Every graph of the model, main graph first; a single row for a model without control flow.</summary>
    public IReadOnlyList<ScopeRow> Scopes { get; init; } = [];

    public static ModelSummary Of(OnnxModel model)
    {
        var graph = model.Graph;
        var shapes = new ShapeInference(graph);
        var rows = graph.TopologicalOrder().Select(node => new LayerRow(
            node.DisplayName,
            node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}.{node.OpType}",
            OutputShape(shapes, node.Output(0)),
            node.Is("Constant") ? 0 : ConstantFloatInputs(graph, node))).ToList();
        var opsets = model.OpsetImports.Select(o => $"{(o.Domain.Length == 0 ? "ai.onnx" : o.Domain)} {o.Version}").ToList();
        var scopes = graph.Scopes().Select(s => new ScopeRow(
            s.Path,
            s.Graph.Nodes.Count,
            s.Graph.Nodes.Count(n => n.Is("BatchNormalization")),
            s.Graph.Nodes.Where(n => !n.Is("Constant")).Sum(n => ConstantFloatInputs(s.Graph, n)),
            s.Graph.Initializers.Where(t => t.ElementType.IsFoldableFloat()).Sum(t => t.ElementCount))).ToList();
        return new ModelSummary(rows, opsets,
            graph.RuntimeInputs.Select(v => v.ToString()).ToList(),
            graph.Outputs.Select(v => v.ToString()).ToList())
        {
            Scopes = scopes,
        };
    }

    /// <summary>The declared or propagated shape ("?" for an unknown dimension), else "?".</summary>
    private static string OutputShape(ShapeInference shapes, string value) =>
        value.Length > 0 && shapes.ShapeOf(value) is { } shape ? "[" + string.Join(",", shape) + "]" : "?";

    /// <summary>
    /// Elements of the node's constant float inputs (weights, biases, BN statistics), each counted once; an initializer
    /// that is also a graph input (every weight of an IR 3 model) counts too.
    /// </summary>
    private static long ConstantFloatInputs(Graph graph, Node node) =>
        node.Inputs.Where(i => i.Length > 0).Distinct()
            .Sum(i => (graph.Initializer(i) ?? (graph.TryGetConstant(i, out var t) ? t : null)) is { } w && w.ElementType.IsFoldableFloat() ? w.ElementCount : 0);
}
