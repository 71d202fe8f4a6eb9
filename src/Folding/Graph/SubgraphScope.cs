using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

/// <summary>
/// Finds the outer-scope values a control-flow node's sub-graphs read, so that the outer graph counts that node
/// as their consumer (a value read by a Loop body must not look unused or single-consumer).
/// </summary>
internal static class SubgraphScope
{
    public static IReadOnlyCollection<string> OuterReferences(NodeProto node)
    {
        HashSet<string>? result = null;
        foreach (var attribute in node.Attribute)
        {
            if (attribute.G is { } g) Collect(g, ref result);
            foreach (var sub in attribute.Graphs) Collect(sub, ref result);
        }
        return (IReadOnlyCollection<string>?)result ?? [];
    }

    /// <summary>
    /// Adds every name a sub-graph of <paramref name="node"/> (at any depth) defines to <paramref name="names"/>: an
    /// outer value of the same name would be shadowed inside it, which ONNX forbids.
    /// </summary>
    public static void AddDefinedNames(NodeProto node, ISet<string> names)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.G is { } g) AddDefinedNames(g, names);
            foreach (var sub in attribute.Graphs) AddDefinedNames(sub, names);
        }
    }

    private static void AddDefinedNames(GraphProto graph, ISet<string> names)
    {
        foreach (var v in graph.Input) names.Add(v.Name);
        foreach (var t in graph.Initializer) names.Add(t.Name);
        foreach (var s in graph.SparseInitializer) names.Add(s.Values?.Name ?? "");
        foreach (var n in graph.Node)
        {
            if (n.Name.Length > 0) names.Add(n.Name);
            foreach (var o in n.Output) names.Add(o);
            AddDefinedNames(n, names);
        }
    }

    private static void Collect(GraphProto graph, ref HashSet<string>? result)
    {
        var local = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in graph.Input) local.Add(v.Name);
        foreach (var t in graph.Initializer) local.Add(t.Name);
        foreach (var s in graph.SparseInitializer) local.Add(s.Values?.Name ?? "");
        foreach (var n in graph.Node)
            foreach (var o in n.Output) local.Add(o);
        foreach (var n in graph.Node)
        {
            foreach (var input in n.Input)
                if (input.Length > 0 && !local.Contains(input))
                    (result ??= new(StringComparer.Ordinal)).Add(input);
            foreach (var inner in OuterReferences(n))
                if (!local.Contains(inner))
                    (result ??= new(StringComparer.Ordinal)).Add(inner);
        }
        foreach (var output in graph.Output)
            if (!local.Contains(output.Name))
                (result ??= new(StringComparer.Ordinal)).Add(output.Name);
    }
}
