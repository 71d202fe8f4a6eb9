using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// The element type of every value of a graph it can tell: declared (graph inputs and outputs, value_info,
/// initializers) or carried forward in topological order, output by output (<see cref="OpOutputTypes"/>). It chooses
/// which intermediates are worth exposing; ONNX Runtime's own types of the exposed outputs decide what is compared
/// (<see cref="LayerProbe"/>), so a value missing here is exposed and typed by the runtime rather than guessed.
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
            for (var i = 0; i < node.Outputs.Count; i++)
                if (node.Output(i).Length > 0 && OpOutputTypes.Of(node, i, types) is { } type)
                    types.TryAdd(node.Output(i), type);
        }
        return types;
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

    /// <summary>True for the floating-point types, whose intermediates are compared within tolerance.</summary>
    public static bool IsFloat(OnnxDataType type) =>
        type is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16;

    /// <summary>
    /// True for the types compared layer by layer: floating-point ones within tolerance, integers and booleans
    /// exactly (indices, masks, shapes); strings, complex numbers and 8-bit floats are not.
    /// </summary>
    public static bool IsCompared(OnnxDataType type) => IsFloat(type) || type is OnnxDataType.Bool or OnnxDataType.Int8 or
        OnnxDataType.Int16 or OnnxDataType.Int32 or OnnxDataType.Int64 or OnnxDataType.UInt8 or OnnxDataType.UInt16 or
        OnnxDataType.UInt32 or OnnxDataType.UInt64;
}
