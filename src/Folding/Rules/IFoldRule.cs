namespace OnnxBn.Folding.Rules;

/// <summary>Which way a rule moves an affine op: into its producer, into its consumers, or into another affine op.</summary>
internal enum RuleDirection
{
    Merge,
    Backward,
    Forward,
}

/// <summary>
/// A rewrite rule. <see cref="Match"/> reads the graph and either declines with a human reason or returns the
/// edit to apply; rules never throw to decline.
/// </summary>
internal interface IFoldRule
{
    /// <summary>Short name used in reports ("Conv←BN", "BN→Gemm").</summary>
    string Name { get; }

    RuleDirection Direction { get; }

    RuleMatch Match(FoldContext context, AffineOp op);
}

/// <summary>
/// A rule's answer: a reason to decline, or an edit that returns the description of its target. A merge also names
/// the other affine op it absorbs, so the report can account for it.
/// </summary>
internal readonly record struct RuleMatch(string? DeclineReason, Func<string>? Apply, AffineOp? Absorbed = null)
{
    /// <summary>The rule's pattern is there but unsafe or inexact to fold: the reason belongs in the report.</summary>
    public static RuleMatch Decline(string reason) => new(reason, null);

    /// <summary>The rule's pattern is not there at all (the neighbour is another kind of op): not worth reporting.</summary>
    public static RuleMatch NotApplicable(string reason) => new(reason, null) { PatternAbsent = true };

    /// <summary>True for a <see cref="NotApplicable"/> answer.</summary>
    public bool PatternAbsent { get; init; }

    public static RuleMatch Ready(Func<string> apply) => new(null, apply);

    /// <summary>A merge of the matched op with <paramref name="absorbed"/> into the op whose label the edit returns.</summary>
    public static RuleMatch Merge(AffineOp absorbed, Func<string> apply) => new(null, apply, absorbed);

    public bool IsReady => Apply is not null;
}
