using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// Which fold (from a <see cref="FoldReport"/>) rewrote a node of the candidate, and which fold removed a tensor of
/// the original. A fold names its target nodes in <see cref="BnFate.Detail"/>; a backward fold also leaves the BN's
/// output name on the node that absorbed it, which finds the target when the names in the report do not. A fold inside
/// a sub-graph (an If branch, a Loop body) is put on the main-graph control-flow node holding it: only that node's
/// outputs can be exposed and compared.
/// </summary>
internal sealed class FoldAttribution
{
    private readonly Dictionary<string, List<BnFate>> _byTarget = new(StringComparer.Ordinal);
    private readonly Dictionary<Node, BnFate> _byBatchNorm = [];
    private readonly Dictionary<string, List<BnFate>> _insideHolder = new(StringComparer.Ordinal);
    private readonly Dictionary<Node, BnFate> _onForwardPath = [];
    private readonly Graph _candidate;

    public FoldAttribution(FoldReport? report, Graph original, Graph candidate)
    {
        _candidate = candidate;
        if (report is null)
            return;
        var nodes = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var node in original.Nodes)
            nodes.TryAdd(node.Name.Length > 0 ? node.Name : node.Output(0), node);
        var holders = candidate.Nodes.Where(n => n.HasSubgraphs)
            .Select(n => (Prefix: Graph.ScopePath(BnFate.MainScope, n, ""), Name: n.DisplayName)).ToList();
        foreach (var fate in report.Fates.Where(f => f.Outcome is BnOutcome.FoldedBackward or BnOutcome.FoldedForward or BnOutcome.Lowered))
        {
            if (fate.Scope != BnFate.MainScope)
            {
                foreach (var holder in holders.Where(h => fate.Scope.StartsWith(h.Prefix, StringComparison.Ordinal)))
                    Add(_insideHolder, holder.Name, fate);
                continue;
            }
            if (nodes.TryGetValue(fate.Node, out var bn))
                _byBatchNorm[bn] = fate;
            if (fate.Outcome == BnOutcome.Lowered)
                continue;
            foreach (var target in Targets(fate.Detail))
                Add(_byTarget, target, fate);
            if (fate.Outcome == BnOutcome.FoldedForward && bn is not null)
                MarkForwardPath(original, bn, Targets(fate.Detail).ToHashSet(StringComparer.Ordinal), fate);
        }
    }

    /// <summary>
    /// A forward fold moves the BN's s and t into the ops it reaches, so every value between the BN and them holds
    /// something else in the candidate: the pre-BN values after a Flatten or Reshape, x + t/s under the BN's own name
    /// and s⁻¹-scaled activations on a scale-through path. Those names may survive; their values are not comparable.
    /// </summary>
    private void MarkForwardPath(Graph original, Node bn, HashSet<string> targets, BnFate fate)
    {
        const int longestPath = 64;
        var path = new HashSet<Node> { bn };
        var pending = new Queue<string>(bn.Outputs.Where(o => o.Length > 0));
        var reachedTarget = false;
        while (pending.Count > 0 && path.Count <= longestPath)
        {
            foreach (var consumer in original.Consumers(pending.Dequeue()))
            {
                if (targets.Contains(consumer.DisplayName))
                {
                    reachedTarget = true;
                    continue;
                }
                if (!path.Add(consumer))
                    continue;
                foreach (var output in consumer.Outputs.Where(o => o.Length > 0))
                    pending.Enqueue(output);
            }
        }
        if (!reachedTarget || path.Count > longestPath)
            return;
        foreach (var node in path)
            _onForwardPath.TryAdd(node, fate);
    }

    private static void Add(Dictionary<string, List<BnFate>> index, string target, BnFate fate)
    {
        if (!index.TryGetValue(target, out var list))
            index[target] = list = [];
        list.Add(fate);
    }

    /// <summary>True when a fold report is known (given, or made by re-folding the original).</summary>
    public bool HasReport => _byBatchNorm.Count > 0 || _byTarget.Count > 0 || _insideHolder.Count > 0;

    /// <summary>The folds that rewrote <paramref name="candidateNode"/> (empty when none did).</summary>
    public IReadOnlyList<BnFate> Into(Node candidateNode)
    {
        var found = _byTarget.TryGetValue(candidateNode.DisplayName, out var list) ? new List<BnFate>(list) : [];
        if (_insideHolder.TryGetValue(candidateNode.DisplayName, out var inside))
            found.AddRange(inside);
        foreach (var (bn, fate) in _byBatchNorm)
        {
            if (!found.Contains(fate) && bn.Output(0).Length > 0 && _candidate.Producer(bn.Output(0)) == candidateNode &&
                !candidateNode.Is("BatchNormalization"))
                found.Add(fate);
        }
        return found;
    }

    /// <summary>The fold that removed the value <paramref name="originalNode"/> wrote: a folded BN's, or the pre-BN value of a backward fold's target.</summary>
    public BnFate? Removing(Node originalNode)
    {
        if (_byBatchNorm.TryGetValue(originalNode, out var fate))
            return fate;
        return _byTarget.TryGetValue(originalNode.DisplayName, out var list)
            ? list.FirstOrDefault(f => f.Outcome == BnOutcome.FoldedBackward)
            : null;
    }

    /// <summary>
    /// The backward fold whose target <paramref name="originalNode"/> is: its outputs in the original hold the values
    /// before the BN, and a name of them that survives in the candidate (a MatMul whose BN became an Add of a bias)
    /// holds the scaled values there, so the two must not be compared.
    /// </summary>
    public BnFate? RewroteTarget(Node originalNode) =>
        _byBatchNorm.ContainsKey(originalNode) || !_byTarget.TryGetValue(originalNode.DisplayName, out var list)
            ? null
            : list.FirstOrDefault(f => f.Outcome == BnOutcome.FoldedBackward);

    /// <summary>
    /// The forward fold whose path <paramref name="originalNode"/> lies on (the BN itself, or an op between it and the
    /// ops it folded into): a name of its outputs that survives in the candidate holds another value there.
    /// </summary>
    public BnFate? OnForwardPath(Node originalNode) => _onForwardPath.GetValueOrDefault(originalNode);

    /// <summary>
    /// The target names of a fold's detail: "Conv_3", "Gemm_1, Gemm_2" (a forward fold into several consumers),
    /// "MatMul_1 + Add_1" (a linear layer and its bias), with a remark in parentheses after them such as
    /// "(merged with BN_2)" or "(through Transpose_4)".
    /// </summary>
    internal static IEnumerable<string> Targets(string detail)
    {
        var remark = detail.IndexOf(" (", StringComparison.Ordinal);
        var names = remark >= 0 ? detail[..remark] : detail;
        return names.Split([", ", " + "], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
