namespace OnnxBn.Folding.Rules;

/// <summary>The rules the fold pass tries, in order: merge chains first, then backward, then forward.</summary>
internal static class RuleCatalog
{
    private static readonly IFoldRule[] All =
    [
        new AffineChainMergeRule(),
        new ConvBackwardRule(),
        new ConvTransposeBackwardRule(),
        new GemmBackwardRule(),
        new MatMulBackwardRule(),
        new TransposedSequenceBackwardRule(),
        new TransposeBackwardRule(),
        new GemmForwardRule(),
        new MatMulForwardRule(),
        new ConvForwardRule(),
        new ScaleThroughActivationRule(),
    ];

    public static IReadOnlyList<IFoldRule> For(FoldDirections directions) => All.Where(r => directions switch
    {
        FoldDirections.BackwardOnly => r.Direction != RuleDirection.Forward,
        FoldDirections.ForwardOnly => r.Direction != RuleDirection.Backward,
        _ => true,
    }).ToArray();
}
