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

    /// <summary>The rules <paramref name="options"/> allow: its directions, and the scale-through rule unless turned off.</summary>
    public static IReadOnlyList<IFoldRule> For(FoldOptions options) => All.Where(r => options.Directions switch
    {
        FoldDirections.BackwardOnly => r.Direction != RuleDirection.Forward,
        FoldDirections.ForwardOnly => r.Direction != RuleDirection.Backward,
        _ => true,
    } && (options.ScaleThroughActivations || r is not ScaleThroughActivationRule)).ToArray();
}
