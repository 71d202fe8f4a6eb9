namespace OnnxBn.Folding.Rules;

/// <summary>
/// Keeps each BN's fate in the order BNs were first seen. A merge (BN→BN chain) makes the surviving op speak for
/// the BNs merged into it, so their fate is the fate of the merged op. One book per scope: every fate it records
/// carries the scope's path (<see cref="BnFate.Scope"/>).
/// </summary>
internal sealed class FateBook(string scope = BnFate.MainScope)
{
    private readonly OrderedDictionary<string, BnFate> _fates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(string Label, string Kind)>> _merged = new(StringComparer.Ordinal);

    public void Keep(string label, string kind, string reason) => Set(label, kind, BnOutcome.Kept, reason);

    /// <summary>
    /// Records that no rule folds <paramref name="op"/>. BNs merged into it are no BatchNormalization nodes any more:
    /// the merge wrote them as one Mul+Add, so they are lowered, not kept. A lone Mul or Div by a per-channel constant
    /// that stays is ordinary arithmetic (anchor scales, normalizations), not a BN: only its fold is reported.
    /// </summary>
    public void Keep(AffineOp op, string reason)
    {
        foreach (var (label, kind) in LabelsOf(op))
        {
            if (label == op.Label && kind is "Mul" or "Div")
                continue;
            if (label == op.Label)
                Set(label, kind, BnOutcome.Kept, reason);
            else if (kind == "BatchNormalization")
                Set(label, kind, BnOutcome.Lowered, $"merged into {op.Label}, which stays: {reason}");
            else
                Set(label, kind, BnOutcome.Kept, $"merged into {op.Label}, which is kept: {reason}");
        }
    }

    /// <summary>Adds to a kept BN's reason why it could not be lowered to Mul+Add either.</summary>
    public void NotLowered(AffineOp op, string reason)
    {
        string kept = _fates.TryGetValue(op.Label, out var fate) ? $"{fate.Detail}; " : "";
        Set(op.Label, op.Kind, BnOutcome.Kept, $"{kept}not lowered: {reason}");
    }

    public void Lower(AffineOp op, string detail)
    {
        foreach (var (label, kind) in LabelsOf(op))
            Set(label, kind, BnOutcome.Lowered, detail);
    }

    /// <summary>
    /// Records a fold of <paramref name="op"/> into <paramref name="target"/>; a merge also records
    /// <paramref name="absorbed"/>, the op merged with it, which no round has seen yet.
    /// </summary>
    public void Record(AffineOp op, RuleDirection direction, string target, AffineOp? absorbed = null)
    {
        if (direction == RuleDirection.Merge)
        {
            if (!_merged.TryGetValue(target, out var list))
                _merged[target] = list = [];
            foreach (var entry in LabelsOf(op).Concat(absorbed is null ? [] : LabelsOf(absorbed)))
            {
                list.Add(entry);
                if (!_fates.ContainsKey(entry.Label))
                    Set(entry.Label, entry.Kind, BnOutcome.Kept, $"merged into {target}");
            }
            return;
        }
        var outcome = direction == RuleDirection.Backward ? BnOutcome.FoldedBackward : BnOutcome.FoldedForward;
        foreach (var (label, kind) in LabelsOf(op))
            Set(label, kind, outcome, label == op.Label ? target : $"{target} (merged with {op.Label})");
    }

    public IReadOnlyList<BnFate> InOrder() => _fates.Values.ToList();

    private IEnumerable<(string Label, string Kind)> LabelsOf(AffineOp op)
    {
        var result = new List<(string, string)>();
        if (op.Kind == "BatchNormalization" || !_merged.ContainsKey(op.Label))
            result.Add((op.Label, op.Kind));
        if (_merged.TryGetValue(op.Label, out var inner))
            result.AddRange(inner);
        return result;
    }

    private void Set(string label, string kind, BnOutcome outcome, string detail) =>
        _fates[label] = new BnFate(label, kind, outcome, detail) { Scope = scope };
}
