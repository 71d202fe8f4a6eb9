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
        string z = transpose.Input(0);
        int? rank = context.Shapes.RankOf(z) ?? context.Shapes.RankOf(op.Input);
        long[]? perm = transpose.GetInts("perm") ?? (rank is int r ? Enumerable.Range(0, r).Reverse().Select(i => (long)i).ToArray() : null);
        if (perm is null)
            return RuleMatch.Decline("the Transpose has no perm and its input's rank is unknown");
        if (!IsPermutation(perm))
            return RuleMatch.Decline($"the Transpose's perm {ShapeMath.Format(perm)} is not a permutation");
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
                if (!match.PatternAbsent) reasons.Add($"{rule.Name} ({inner} of the Transpose input): {match.DeclineReason}");
                continue;
            }
            return RuleMatch.Ready(() =>
            {
                string target = match.Apply!();
                var graph = context.Graph;
                graph.SetNodeInput(transpose, 0, moved.Output);
                context.RemoveAffineNodes(op);
                graph.SetNodeOutput(transpose, 0, op.Output);
                graph.RemoveValueInfo(op.Input);
                return $"{target} (through {transpose.DisplayName})";
            });
        }
        return reasons.Count > 0
            ? RuleMatch.Decline(string.Join("; ", reasons))
            : RuleMatch.NotApplicable($"the Transpose's input comes from {producer.OpType}, not a linear op");
    }

    private static bool IsPermutation(long[] perm) =>
        perm.Order().Select((p, i) => p == i).All(same => same);
}
