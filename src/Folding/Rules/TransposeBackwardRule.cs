namespace OnnxBn.Folding.Rules;

/// <summary>
/// BN(Transpose_perm(Linear(x))) → Transpose_perm(Linear'(x))                 any permutation, any rank
///
/// NHWC graphs (tf2onnx before its transpose optimizer, converters from other frameworks) put a Transpose between
/// a linear op and the BN: Conv [N,C,H,W] → Transpose(0,2,3,1) → [N,H,W,C] → BN on the last axis (a Mul/Add) or
/// Transpose → BN(axis 1) → Transpose. A Transpose only moves elements: output axis a holds input axis perm[a], so
/// a per-channel map on axis a of y = Transpose(z) is the same map on axis perm[a] of z,
///   s ⊙_a Transpose(z) + t = Transpose(s ⊙_perm[a] z + t).
/// When perm[a] is the linear op's feature axis (Conv's 1, Gemm's 1, MatMul's last), the map folds into that op
/// exactly as if the Transpose were not there (the backward rules decide and compute), the BN goes, and the
/// Transpose now writes the BN's output name. The Transpose's output must feed only the BN.
/// A chain of Transposes (tf2onnx's NHWC↔NCHW pairs) is one Transpose whose perm is their composition
/// (<see cref="TransposeChain"/>): the map moves past all of them, and the last writes the BN's output name.
/// </summary>
internal sealed class TransposeBackwardRule : IFoldRule
{
    private static readonly IFoldRule[] Inner =
        [new ConvBackwardRule(), new ConvTransposeBackwardRule(), new GemmBackwardRule(), new MatMulBackwardRule()];

    public string Name => "Linear←Transpose←BN";

    public RuleDirection Direction => RuleDirection.Backward;

    public RuleMatch Match(FoldContext context, AffineOp op)
    {
        if (LinearGuards.BackwardProducer(context, op, "Transpose", out var transpose) is { } declined)
            return declined;
        if (TransposeChain.Walk(context, transpose, out var chain) is { } chainReason)
            return RuleMatch.Decline(chainReason);
        string z = chain.Input;
        long[] perm = chain.Perm;
        ChannelAxis inner;
        if (op.Axis.Uniform)
            inner = op.Axis;
        else if (op.Axis.Absolute(perm.Length) is int a && a >= 0 && a < perm.Length)
            inner = new ChannelAxis((int)perm[a], FromEnd: false);
        else
            return RuleMatch.Decline($"scales {op.Axis}, which is not an axis of the rank-{perm.Length} Transpose output");
        if (context.Graph.Producer(z) is not { } producer)
            return RuleMatch.NotApplicable("the Transpose's input is not produced by a node");

        // The same map, read as if it sat between the producer and the Transpose (no nodes of its own yet).
        var moved = op with { Nodes = [], Input = z, Output = context.Graph.UniqueName($"{z}_bnfold"), Axis = inner };
        var reasons = new List<string>();
        foreach (var rule in Inner)
        {
            var match = rule.Match(context, moved);
            if (!match.IsReady)
            {
                if (!match.PatternAbsent) reasons.Add($"{rule.Name} ({chain.Describe(op.Axis, inner)}): {match.DeclineReason}");
                continue;
            }
            return RuleMatch.Ready(() =>
            {
                string target = match.Apply!();
                var graph = context.Graph;
                graph.SetNodeInput(chain.Nodes[0], 0, moved.Output);
                context.RemoveAffineNodes(op);
                graph.SetNodeOutput(transpose, 0, op.Output);
                graph.RemoveValueInfo(op.Input);
                return $"{target} (through {string.Join(", ", chain.Nodes.Select(n => n.DisplayName))})";
            });
        }
        if (chain.StopReason is { } stop)
            reasons.Add($"the Transposes cannot be followed further back: {stop}");
        return reasons.Count > 0
            ? RuleMatch.Decline(string.Join("; ", reasons))
            : RuleMatch.NotApplicable($"the Transpose's input comes from {producer.OpType}, not a linear op");
    }
}
