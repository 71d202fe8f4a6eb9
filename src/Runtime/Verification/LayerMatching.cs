using System.Security.Cryptography;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>How an intermediate tensor of the original found its counterpart in the candidate.</summary>
public enum LayerMatch
{
    /// <summary>The candidate has a tensor of the same name (folding keeps the names of what it does not remove).</summary>
    Name,
    /// <summary>Names differ: a graph output paired with the candidate's output at the same position.</summary>
    Position,
    /// <summary>
    /// Names differ: the candidate node of the same op type, reading the counterparts of the same inputs and constants
    /// with identical contents, wrote it.
    /// </summary>
    Structure,
}

/// <summary>An intermediate tensor of the original that has no counterpart in the candidate, and why.</summary>
/// <param name="Tensor">The tensor's name in the original.</param>
/// <param name="Node">The original node that writes it.</param>
/// <param name="Reason">Why it is not compared: the fold that removed it, or no counterpart found.</param>
public sealed record UnmatchedTensor(string Tensor, string Node, string Reason);

/// <summary>
/// One pair of tensors to compare, in the original's topological order; <see cref="ElementType"/> is the probe
/// session's (<see cref="LayerProbe.ComparedPairs"/>), undefined until the sessions are open.
/// </summary>
internal sealed record LayerPair(string Tensor, string CandidateTensor, LayerMatch Match, Node OriginalNode, Node CandidateNode,
    IReadOnlyList<BnFate> Folds, OnnxDataType ElementType = OnnxDataType.Undefined);

/// <summary>The pairs to compare and the tensors left out.</summary>
internal sealed record LayerPlan(IReadOnlyList<LayerPair> Pairs, IReadOnlyList<UnmatchedTensor> Unmatched);

/// <summary>
/// Pairs the intermediates of the original with the candidate's (which of them hold numbers to compare, the probe
/// sessions tell: <see cref="LayerProbe.ComparedPairs"/>): by name first; for what is left, by
/// structure, walking the original in topological order (a node whose op type, mapped inputs and constant contents
/// equal those of one unclaimed candidate node maps its outputs onto that node's). A folded layer's weights differ,
/// so a structural match never pairs a value from before a fold with one from after it.
/// </summary>
internal static class LayerMatching
{
    public static LayerPlan Plan(Graph original, Graph candidate, FoldAttribution folds)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in original.RuntimeInputs.Select(i => i.Name))
            if (candidate.IsGraphInput(input))
                map[input] = input;
        if (original.RuntimeInputs.Count == candidate.RuntimeInputs.Count)
            foreach (var (o, c) in original.RuntimeInputs.Zip(candidate.RuntimeInputs))
                map.TryAdd(o.Name, c.Name);

        var candidateIndex = new Dictionary<string, Queue<Node>>(StringComparer.Ordinal);
        foreach (var node in candidate.TopologicalOrder())
        {
            // A candidate node that writes a name of the original is that tensor's counterpart by name already.
            if (node.Outputs.Any(o => o.Length > 0 && original.Producer(o) is not null))
                continue;
            var key = Key(candidate, node, name => name);
            if (key is null)
                continue;
            if (!candidateIndex.TryGetValue(key, out var queue))
                candidateIndex[key] = queue = new Queue<Node>();
            queue.Enqueue(node);
        }

        // Graph outputs the candidate renamed pair by position, as verify pairs them.
        var outputsByPosition = new Dictionary<string, string>(StringComparer.Ordinal);
        if (original.Outputs.Count == candidate.Outputs.Count)
            foreach (var (o, c) in original.Outputs.Zip(candidate.Outputs))
                if (o.Name != c.Name && original.Producer(c.Name) is null)
                    outputsByPosition[o.Name] = c.Name;

        var pairs = new List<LayerPair>();
        var unmatched = new List<UnmatchedTensor>();
        foreach (var node in original.TopologicalOrder())
        {
            Node? structural = null;
            if (node.Outputs.Any(o => o.Length > 0 && candidate.Producer(o) is null) &&
                Key(original, node, name => map.GetValueOrDefault(name)) is { } key &&
                candidateIndex.TryGetValue(key, out var queue) && queue.Count > 0)
                structural = queue.Dequeue();
            for (var i = 0; i < node.Outputs.Count; i++)
            {
                var tensor = node.Output(i);
                if (tensor.Length == 0)
                    continue;
                if (candidate.Producer(tensor) is { } sameName)
                    map[tensor] = tensor;
                else if (structural is not null && structural.Output(i).Length > 0)
                    map[tensor] = structural.Output(i);
                else if (outputsByPosition.TryGetValue(tensor, out var positional))
                    map[tensor] = positional;
                if (node.Is("Constant"))
                    continue;
                if (folds.RewroteTarget(node) is { } rewrote)
                {
                    map.Remove(tensor);
                    unmatched.Add(new UnmatchedTensor(tensor, node.DisplayName,
                        $"the value before the BN, which the fold rewrote: {rewrote.Node} {rewrote.Description}"));
                    continue;
                }
                if (folds.OnForwardPath(node) is { } moved && candidate.Producer(tensor) is not null)
                {
                    map.Remove(tensor);
                    unmatched.Add(new UnmatchedTensor(tensor, node.DisplayName,
                        $"the value on the way of a forward fold, which holds another value now: {moved.Node} {moved.Description}"));
                    continue;
                }
                if (map.TryGetValue(tensor, out var counterpart) && candidate.Producer(counterpart) is { } producer)
                    pairs.Add(new LayerPair(tensor, counterpart,
                        counterpart == tensor ? LayerMatch.Name : outputsByPosition.ContainsKey(tensor) && structural is null ? LayerMatch.Position : LayerMatch.Structure,
                        node, producer, folds.Into(producer)));
                else
                    unmatched.Add(new UnmatchedTensor(tensor, node.DisplayName, Reason(folds.Removing(node) ?? ParameterOfFolded(original, node, tensor, folds))));
            }
        }
        return new LayerPlan(pairs, unmatched);
    }

    /// <summary>
    /// The fold that consumed <paramref name="tensor"/> when it is a parameter computed from constants alone (an
    /// exporter's Identity of a shared BN weight) read only by nodes folds removed or rewrote; else null.
    /// </summary>
    private static BnFate? ParameterOfFolded(Graph original, Node node, string tensor, FoldAttribution folds)
    {
        if (!node.Inputs.All(i => i.Length == 0 || original.TryGetConstant(i, out _)))
            return null;
        var consumers = original.Consumers(tensor);
        var fates = consumers.Select(folds.Removing).ToList();
        return consumers.Count > 0 && fates.All(f => f is not null) ? fates[0] : null;
    }

    /// <summary>True when an unmatched tensor's reason names a fold (it is expected to be missing).</summary>
    public static bool IsFoldReason(string reason) =>
        reason.StartsWith("removed by the fold", StringComparison.Ordinal) || reason.StartsWith("the value before the BN", StringComparison.Ordinal) ||
        reason.StartsWith("the value on the way of a forward fold", StringComparison.Ordinal);

    private static string Reason(BnFate? fate) => fate is null
        ? "no tensor of this name in the candidate, and no candidate node of the same structure"
        : $"removed by the fold: {fate.Node} {fate.Description}";

    /// <summary>
    /// The structural identity of a node: op type, domain, attributes, each input's counterpart (null when an input is
    /// not mapped yet) and a hash of each constant input's contents.
    /// </summary>
    private static string? Key(Graph graph, Node node, Func<string, string?> counterpart)
    {
        var parts = new List<string> { node.Domain, node.OpType, string.Join(",", node.AttributeNames.Order(StringComparer.Ordinal)) };
        foreach (var input in node.Inputs)
        {
            if (input.Length == 0)
                parts.Add("");
            else if (graph.TryGetConstant(input, out var constant))
                parts.Add($"#{constant.ElementType}[{string.Join(",", constant.Dims)}]{Convert.ToHexString(SHA256.HashData(constant.RawBytes))}");
            else if (counterpart(input) is { } mapped)
                parts.Add("@" + mapped);
            else
                return null;
        }
        return string.Join("|", parts);
    }
}
