using OnnxBn.Folding.Rules;

namespace OnnxBn.TestUtilities;

/// <summary>
/// A fold rule with a deliberate bug, for pinning how a rule that breaks the graph is reported (by the fold driver,
/// and by the CLI as exit 70): it removes the BN without rewiring its reader, leaving the graph reading a value that
/// nothing produces.
/// </summary>
internal sealed class DanglingRule : IFoldRule
{
    /// <summary>The name the driver's error must quote.</summary>
    public const string RuleName = "Broken←BN";

    public string Name => RuleName;

    public RuleDirection Direction => RuleDirection.Backward;

    public RuleMatch Match(FoldContext context, AffineOp op) => RuleMatch.Ready(() =>
    {
        foreach (var node in op.Nodes) context.Graph.RemoveNode(node);
        return "nothing";
    });
}
