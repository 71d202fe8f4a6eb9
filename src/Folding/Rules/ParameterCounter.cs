namespace OnnxBn.Folding.Rules;

/// <summary>
/// Counts parameters the way Keras' summary() does: every float constant a node reads is a parameter, and so is an
/// initializer that is also a graph input (IR 3 models list all weights so; the initializer is the weight unless
/// a caller overrides it); a BatchNormalization's moving mean and variance are non-trainable, everything else is
/// trainable. Nodes of sub-graphs (If branches, Loop bodies) count too, and a weight several scopes read counts once.
/// </summary>
internal static class ParameterCounter
{
    public static ParameterCounts Count(FoldContext context)
    {
        // A weight is its defining graph and name: a sub-graph's own "W" is not the enclosing graph's "W" it shadows.
        var seen = new HashSet<(Graph, string)>();
        long total = 0, nonTrainable = 0;
        foreach (var (_, graph) in context.Graph.Scopes())
            foreach (var node in graph.Nodes)
            {
                if (node.Is("Constant")) continue;
                for (int i = 0; i < node.Inputs.Count; i++)
                {
                    string input = node.Inputs[i];
                    if (graph.Owner(input) is not { } owner || !seen.Add((owner, input))
                        || Weight(owner, input) is not { } tensor || !tensor.ElementType.IsFoldableFloat())
                        continue;
                    total += tensor.ElementCount;
                    if (node.Is("BatchNormalization") && i is 3 or 4)
                        nonTrainable += tensor.ElementCount;
                }
            }
        return new ParameterCounts(total, total - nonTrainable, nonTrainable);
    }

    /// <summary>The initializer named <paramref name="value"/> (an input's default too), or a Constant node's value.</summary>
    private static TensorData? Weight(Graph graph, string value) =>
        graph.Initializer(value) ?? (graph.TryGetConstant(value, out var constant) ? constant : null);
}
