namespace OnnxBn.Folding.Rules;

/// <summary>
/// Transpose(BN(Transpose(Dense(x)))) → Dense'(x)        both Transposes with perm [0, 2, 1]
///
/// PyTorch's BatchNorm1d over a sequence's features ([N, L, C] after a Linear) is exported as
/// MatMul(x, W [C_in, C]) [→ Add(bias)] → Transpose(0,2,1) → BN → Transpose(0,2,1). The first Transpose moves the
/// Linear's feature axis 2 to axis 1, which BN normalizes, and the second moves it back: per feature c,
/// y[n, l, c] = s[c]·z[n, l, c] + t[c], where z is the Linear's output. So it folds like a dense layer
/// (W' = W·diag(s), b' = s·b + t, see <see cref="DenseLayer"/>), and BN and both Transposes go; the second
/// Transpose's output name survives. Every value on the chain must feed only the next node and not be a graph output.
/// </summary>
internal sealed class TransposedSequenceBackwardRule : IFoldRule
{
    private static readonly long[] SwapLastTwo = [0, 2, 1];

    public string Name => "MatMul←Transpose←BN→Transpose";

    public RuleDirection Direction => RuleDirection.Backward;

    public RuleMatch Match(FoldContext context, AffineOp op)
    {
        if (LinearGuards.BackwardProducer(context, op, "Transpose", out var inner) is { } declined)
            return declined;
        // Any other perm (an NHWC pair, say) is the general Transpose rule's to fold or decline.
        if (!IsSwapLastTwo(inner))
            return RuleMatch.NotApplicable("the Transpose before it does not have perm [0,2,1]");
        if (!op.Axis.Is(1, 3))
            return RuleMatch.Decline($"scales {op.Axis}, not axis 1 of a rank-3 tensor");
        if (context.SoleConsumer(op.Output) is not { } outer || !outer.Is("Transpose"))
            return context.Graph.Consumers(op.Output).Any(c => c.Is("Transpose"))
                ? RuleMatch.Decline("output does not feed a single Transpose (or is a graph output)")
                : RuleMatch.NotApplicable("output does not feed a Transpose");
        if (!IsSwapLastTwo(outer))
            return RuleMatch.Decline("the Transpose after it does not have perm [0,2,1]");
        if (context.Graph.Producer(inner.Input(0)) is not { } last)
            return RuleMatch.Decline("the Transpose's input is not produced by a node");
        if (context.SoleConsumer(inner.Input(0)) is null)
            return RuleMatch.Decline($"{last.OpType} output also feeds another node or is a graph output");
        if (DenseLayer.TryRead(context, last, out var layer) is { } layerReason)
            return RuleMatch.Decline(layerReason);
        if (layer.OutputRank != 3)
            return RuleMatch.Decline($"the MatMul output has rank {layer.OutputRank}, not 3");
        if (layer.OutputScaling(op, out var s, out var t) is { } reason)
            return RuleMatch.Decline(reason);

        return RuleMatch.Ready(() =>
        {
            string output = outer.Output(0);
            foreach (var node in op.Nodes.Prepend(inner).Append(outer)) context.Graph.RemoveNode(node);
            foreach (var value in new[] { op.Input, op.Output }) context.Graph.RemoveValueInfo(value);
            string target = layer.Fold(context, s, t, output);
            return $"{target} (through {inner.DisplayName} and {outer.DisplayName})";
        });
    }

    private static bool IsSwapLastTwo(Node transpose) => transpose.GetInts("perm") is { } perm && perm.SequenceEqual(SwapLastTwo);
}
