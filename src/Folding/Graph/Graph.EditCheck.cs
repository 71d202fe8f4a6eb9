namespace OnnxBn.Folding;

/// <summary>
/// A check of the graph's invariants that costs as much as the edits made since the last check, not as much as the
/// graph. The fold driver checks after every rewrite; with <see cref="CheckInvariants"/> each check walked every node,
/// so a pass over a model with many BNs cost O(nodes × rewrites).
/// </summary>
public sealed partial class Graph
{
    // What changed since the last check: nodes attached, re-attached or detached, and values that lost a definition
    // (a producer's output or an initializer). Cleared by every check.
    private readonly HashSet<Node> _editedNodes = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _vacatedValues = new(StringComparer.Ordinal);

    /// <summary>
    /// Nodes visited so far: every node at each read of the whole node list (<see cref="Nodes"/>,
    /// <see cref="TopologicalOrder"/>, the full invariant check; each walks it) and the nodes of each edit check. The
    /// work of a pass as a count no machine load changes: a test compares it across graph sizes, so a walk of every
    /// node per rewrite (O(nodes × folds)) fails it on any machine and a linear pass passes it on a loaded one.
    /// </summary>
    internal long NodeVisits { get; private set; }

    /// <summary>
    /// Checks what the edits since the last check can have broken: the edited nodes' index entries (both ways, also
    /// for removed nodes), that their inputs are defined, that every value which lost its producer or initializer
    /// is either defined otherwise or read by nothing, and the graph's input/output sets. Everything else held at
    /// the last check and no edit touched it. Not covered: cycles, which only new edges can make;
    /// <see cref="CheckInvariants"/> finds those.
    /// </summary>
    internal void CheckEdits()
    {
        if (_members.Count != ListedNodeCount)
            throw new InvalidOperationException("node membership is stale");
        NodeVisits += _editedNodes.Count;
        foreach (var node in _editedNodes)
        {
            bool member = _members.Contains(node);
            foreach (var output in node.Outputs)
                if (output.Length > 0 && member != (_producers.TryGetValue(output, out var p) && ReferenceEquals(p, node)))
                    throw new InvalidOperationException($"producer index is stale for '{output}'");
            CheckEditedInputs(node, node.Inputs, member);
            CheckEditedInputs(node, node.ImplicitInputs, member);
        }
        foreach (var value in _vacatedValues)
        {
            if (_consumers.TryGetValue(value, out var readers))
            {
                foreach (var reader in readers)
                    if (!_members.Contains(reader))
                        throw new InvalidOperationException($"consumer index names a removed node for '{value}'");
                if (!IsDefined(value))
                    throw new OnnxModelException(File, $"input '{value}' is produced by nothing (no node, initializer or graph input)", $"node '{readers[0].DisplayName}'");
            }
            if (_graphOutputs.Contains(value) && !IsDefined(value))
                throw new OnnxModelException(File, $"graph output '{value}' is produced by nothing");
        }
        CheckBoundaries();
        ClearEditLog();
    }

    private void CheckEditedInputs(Node node, IEnumerable<string> inputs, bool member)
    {
        foreach (var input in inputs)
        {
            if (input.Length == 0)
                continue;
            if (member != (_consumers.TryGetValue(input, out var list) && list.Contains(node)))
                throw new InvalidOperationException($"consumer index is stale for '{input}'");
            if (member && !IsDefined(input))
                throw new OnnxModelException(File, $"input '{input}' is produced by nothing (no node, initializer or graph input)", $"node '{node.DisplayName}'");
        }
    }

    /// <summary>Records that <paramref name="node"/>'s index entries changed; its old outputs lose their definition.</summary>
    private void LogDetached(Node node)
    {
        _editedNodes.Add(node);
        foreach (var output in node.Outputs)
            if (output.Length > 0)
                _vacatedValues.Add(output);
    }

    private void ClearEditLog()
    {
        _editedNodes.Clear();
        _vacatedValues.Clear();
    }
}
