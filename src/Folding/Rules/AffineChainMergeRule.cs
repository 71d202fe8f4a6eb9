namespace OnnxBn.Folding.Rules;

/// <summary>
/// BN₂(BN₁(x)) → Add(Mul(x, s), t): two per-channel affine ops in a row on the same axis become one.
///
///   s₂·(s₁·x + t₁) + t₂ = (s₂·s₁)·x + (s₂·t₁ + t₂)
/// The merged op is written as a constant Mul and Add shaped [C, 1, ..., 1] to broadcast on the channel axis (so x's
/// rank must be known), which the channel-affine recognizer reads back as one op in the next round; the backward
/// and forward rules then fold it like any BN, or it stays as two cheap ops. The target this rule reports is the
/// new Mul's name: the fate book reports both merged ops through it.
///
/// Unless kept BNs are to be lowered anyway, the chain is merged only when the merged op then folds (some backward
/// or forward rule accepts the chain read as one op): otherwise the BNs would come out as a Mul+Add nobody asked
/// for, and they stay BatchNormalization nodes.
///
/// The merged Mul is read back from the graph alone, so the merge needs what a forward fold of it would need: a
/// proof from the graph that x has the C channels (<see cref="ChannelCount"/>). Without one the ops stay apart: a
/// BN keeps its own folds (merged, the only witness of x's channel count would be gone), and a Mul that broadcasts
/// x up is no BN to merge with.
/// </summary>
internal sealed class AffineChainMergeRule : IFoldRule
{
    public string Name => "BN→BN merge";

    public RuleDirection Direction => RuleDirection.Merge;

    public RuleMatch Match(FoldContext context, AffineOp op)
    {
        if (context.SoleConsumer(op.Output) is not { } consumer)
            return RuleMatch.Decline("output is a graph output or does not feed exactly one node");
        if (!consumer.Is("BatchNormalization") && !consumer.Is("Mul") && !consumer.Is("Div"))
            return RuleMatch.NotApplicable($"feeds {consumer.OpType}, not another affine op");
        if (Next(context, consumer) is not { } next)
            return RuleMatch.Decline($"{consumer.DisplayName} is not a foldable affine op");
        if (next.Input != op.Output)
            return RuleMatch.Decline($"{consumer.DisplayName} does not scale the output");
        if (LegacyBroadcast.Applies(context))
            return RuleMatch.Decline($"opset {context.Opset}: a merged Mul+Add would need legacy broadcasting; each op folds on its own");
        if (context.Shapes.RankOf(op.Input) is not int rank)
            return RuleMatch.Decline("rank of the input is unknown");
        int? first = op.Axis.Absolute(rank), second = next.Axis.Absolute(rank);
        int? axis = op.Channels == 1 ? second : next.Channels == 1 || first == second ? first : null;
        if (axis is not int a || a < 0 || a >= rank)
            return RuleMatch.Decline($"{op.Axis} and {next.Axis} of {next.Label} are different axes");
        if (op.Channels != next.Channels && op.Channels != 1 && next.Channels != 1)
            return RuleMatch.Decline($"{op.Channels} channels, but {next.Label} has {next.Channels}");
        if (DataType(context, op) is not { } type)
            return RuleMatch.Decline("element type of the input is unknown");
        int channels = Math.Max(op.Channels, next.Channels);
        if (UnprovenChannels(context, op, next, a, channels) is { } unproven)
            return RuleMatch.Decline(unproven);

        double[] s1 = Numerics.AxisScaling.Broadcast(op.Scale, channels), t1 = Numerics.AxisScaling.Broadcast(op.Shift, channels);
        double[] s2 = Numerics.AxisScaling.Broadcast(next.Scale, channels), t2 = Numerics.AxisScaling.Broadcast(next.Shift, channels);
        double[] scale = s1.Select((v, c) => s2[c] * v).ToArray();
        double[] shift = t1.Select((v, c) => s2[c] * v + t2[c]).ToArray();
        long[] dims = channels == 1 ? [1] : [channels, .. Enumerable.Repeat(1L, rank - a - 1)];
        if (Numerics.NarrowFloat.WriteDamage(type, scale, null, "the merged scale") is { } scaleDamage)
            return RuleMatch.Decline(scaleDamage);
        if (Numerics.NarrowFloat.WriteDamage(type, shift, null, "the merged shift") is { } shiftDamage)
            return RuleMatch.Decline(shiftDamage);
        if (!context.Options.LowerUnfolded && NothingToFoldInto(context, op, next, scale, shift, a) is { } nothing)
            return RuleMatch.Decline(nothing);

        return RuleMatch.Merge(next, () =>
        {
            var graph = context.Graph;
            string stem = op.First.Name.Length > 0 ? op.First.Name : op.Output;
            string s = context.AddWeight($"{stem}_merged_scale", TensorData.FromDoubles("", type, dims, scale));
            string t = context.AddWeight($"{stem}_merged_shift", TensorData.FromDoubles("", type, dims, shift));
            string scaled = graph.UniqueName($"{stem}_merged_scaled");
            // The Mul goes after the last removed node, where x is defined; the Add can only be added once the old
            // producer of the output is gone.
            var mul = graph.AddNode("Mul", [op.Input, s], [scaled], graph.UniqueName($"{stem}_merged_mul"), after: next.Last);
            foreach (var node in op.Nodes.Concat(next.Nodes)) graph.RemoveNode(node);
            graph.AddNode("Add", [scaled, t], [next.Output], graph.UniqueName($"{stem}_merged_add"), after: mul);
            graph.RemoveValueInfo(op.Output);
            return mul.DisplayName;
        });
    }

    /// <summary>
    /// Why the graph does not prove that x has the chain's <paramref name="channels"/> on <paramref name="axis"/>:
    /// an op of the chain may broadcast x up, or only a BN being merged shows the count. Null when proven.
    /// </summary>
    private static string? UnprovenChannels(FoldContext context, AffineOp op, AffineOp next, int axis, int channels)
    {
        if (channels == 1 || ChannelCount.Along(context, op.Input, new ChannelAxis(axis, FromEnd: false)) == channels)
            return null;
        string witness = op.Channels == channels ? op.Label : next.Label;
        return op.BroadcastRisk ?? next.BroadcastRisk
            ?? $"only {witness} proves that '{op.Input}' has {channels} channels on axis {axis}; merged, the ops could not be folded forward, so each folds on its own";
    }

    /// <summary>
    /// Why the chain, read as one op y = s·x + t from op's input to next's output, would fold nowhere (the reasons
    /// each backward and forward rule gives), or null when some rule would fold it.
    /// </summary>
    private static string? NothingToFoldInto(FoldContext context, AffineOp op, AffineOp next, double[] scale, double[] shift, int axis)
    {
        var chain = new AffineOp([.. op.Nodes, .. next.Nodes], op.Label, $"{op.Kind}+{next.Kind}", op.Input, next.Output, scale, shift,
            scale.Length == 1 ? ChannelAxis.Any : new ChannelAxis(axis, FromEnd: false), 0)
        {
            BroadcastRisk = op.BroadcastRisk ?? next.BroadcastRisk,
        };
        var reasons = new List<string>();
        foreach (var rule in RuleCatalog.For(context.Options).Where(r => r.Direction != RuleDirection.Merge))
        {
            var match = rule.Match(context, chain);
            if (match.IsReady) return null;
            if (!match.PatternAbsent) reasons.Add($"{rule.Name}: {match.DeclineReason}");
        }
        return reasons.Count == 0
            ? $"merged with {next.Label}, the chain would have no linear op to fold into; both stay as they are (lowering merges them)"
            : $"merged with {next.Label}, the chain would not fold either ({string.Join("; ", reasons)}); both stay as they are";
    }

    private static AffineOp? Next(FoldContext context, Node consumer) =>
        consumer.Is("BatchNormalization") ? BatchNormRecognizer.Recognize(context, consumer).Op : ChannelAffineRecognizer.Recognize(context, consumer);

    /// <summary>The element type of x: declared, or the type of the op's own constants where ONNX ties them to x.</summary>
    internal static OnnxDataType? DataType(FoldContext context, AffineOp op)
    {
        if ((context.ElementTypeOf(op.Input) ?? context.ElementTypeOf(op.Output)) is { } declared)
            return declared.IsFoldableFloat() ? declared : null;
        var first = op.First;
        // Mul/Div need both operands of one type; BatchNormalization before opset 15 ties scale to X.
        bool tied = first.Is("BatchNormalization") ? context.Opset < 15 : true;
        if (!tied) return null;
        foreach (string input in first.Is("BatchNormalization") ? [first.Input(1)] : first.Inputs)
            if (context.TryConstant(input, out var constant) && constant.ElementType.IsFoldableFloat())
                return constant.ElementType;
        return null;
    }
}
