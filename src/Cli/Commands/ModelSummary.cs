using OnnxBn.Folding;

namespace OnnxBn.Cli.Commands;

/// <summary>One row of <c>inspect</c>'s layer table.</summary>
internal sealed record LayerRow(string Name, string Op, string OutputShape, long Parameters);

/// <summary>What <c>inspect</c> shows about a model's graph, computed once for the text and JSON forms.</summary>
internal sealed record ModelSummary(IReadOnlyList<LayerRow> Rows, IReadOnlyList<string> Opsets, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)
{
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
        return new ModelSummary(rows, opsets,
            graph.RuntimeInputs.Select(v => v.ToString()).ToList(),
            graph.Outputs.Select(v => v.ToString()).ToList());
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
