using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// The element type of every value of a graph: declared (graph inputs and outputs, value_info, initializers) or
/// carried forward in topological order, so an intermediate can be declared as a graph output with its type.
/// Most ops keep the type of their first input; the exceptions are the ops that choose theirs.
/// </summary>
internal static class LayerTypes
{
    public static IReadOnlyDictionary<string, OnnxDataType> Infer(Graph graph)
    {
        var types = new Dictionary<string, OnnxDataType>(StringComparer.Ordinal);
        foreach (var v in graph.Inputs.Concat(graph.ValueInfos).Concat(graph.Outputs))
            if (v.IsTensor && v.ElementType != OnnxDataType.Undefined)
                types[v.Name] = v.ElementType;
        foreach (var t in graph.Initializers)
            types[t.Name] = t.ElementType;
        foreach (var node in graph.TopologicalOrder())
        {
            if (node.HasSubgraphs)
            {
                foreach (var (output, declared) in ControlFlowOutputTypes(graph, node))
                    types.TryAdd(output, declared);
                continue;
            }
            if (OutputType(node, types) is not { } type)
                continue;
            foreach (var output in node.Outputs.Where(o => o.Length > 0))
                types.TryAdd(output, type);
        }
        return types;
    }

    private static OnnxDataType? OutputType(Node node, Dictionary<string, OnnxDataType> known)
    {
        if (node.Domain is not ("" or "ai.onnx"))
            return null;
        return node.OpType switch
        {
            "Cast" => (OnnxDataType)node.GetInt("to", 0),
            "Shape" or "Size" or "NonZero" or "ArgMax" or "ArgMin" => OnnxDataType.Int64,
            "Equal" or "Less" or "LessOrEqual" or "Greater" or "GreaterOrEqual" or "Not" or "And" or "Or" or "Xor" or "IsNaN" or "IsInf"
                => OnnxDataType.Bool,
            "Constant" => node.GetTensor("value")?.ElementType,
            "ConstantOfShape" => node.GetTensor("value")?.ElementType ?? OnnxDataType.Float,
            "CastLike" => known.TryGetValue(node.Input(1), out var like) ? like : null,
            _ => node.Inputs.Where(i => i.Length > 0).Select(i => known.TryGetValue(i, out var t) ? t : (OnnxDataType?)null)
                .FirstOrDefault(t => t is not null),
        };
    }

    /// <summary>
    /// The types of an If's, Loop's or Scan's outputs, declared by its (first) sub-graph's outputs: an If's outputs are
    /// its branch's, a Loop's skip the body's condition output, a Scan's are its body's in order.
    /// </summary>
    private static IEnumerable<(string Output, OnnxDataType Type)> ControlFlowOutputTypes(Graph graph, Node node)
    {
        if (node.Domain is not ("" or "ai.onnx") || node.OpType is not ("If" or "Loop" or "Scan"))
            yield break;
        var body = graph.Subgraphs(node)[0].Graph;
        var skip = node.OpType == "Loop" ? 1 : 0;
        for (var i = 0; i < node.Outputs.Count && i + skip < body.Outputs.Count; i++)
        {
            var declared = body.Outputs[i + skip];
            if (node.Output(i).Length > 0 && declared.IsTensor && declared.ElementType != OnnxDataType.Undefined)
                yield return (node.Output(i), declared.ElementType);
        }
    }

    /// <summary>True for the floating-point types whose intermediates are worth comparing layer by layer.</summary>
    public static bool IsFloat(OnnxDataType type) =>
        type is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16;
}
