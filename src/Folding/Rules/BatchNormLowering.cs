namespace OnnxBn.Folding.Rules;

/// <summary>
/// BatchNormalization(x) → Add(Mul(x, s), t) with s and t precomputed (shaped [C, 1, ..., 1] to broadcast over
/// axis 1): two cheap elementwise ops instead of BN's run-time sqrt and divide. Used for BNs no rule can fold.
/// </summary>
internal static class BatchNormLowering
{
    public static RuleMatch Match(FoldContext context, AffineOp op)
    {
        var bn = op.First;
        if (context.Shapes.RankOf(op.Input) is not int rank)
            return RuleMatch.Decline("rank of the input is unknown");
        if (rank < 2)
            return RuleMatch.Decline($"input rank {rank} has no channel axis");
        var dataType = context.ElementTypeOf(op.Input)
            ?? (context.Opset < 15 && context.TryConstant(bn.Input(1), out var scale) ? scale.ElementType : null);
        if (dataType is not { } type || !type.IsFoldableFloat())
            return RuleMatch.Decline("element type of the input is unknown");
        if (Numerics.NarrowFloat.WriteDamage(type, op.Scale, null, "the scale s") is { } scaleDamage)
            return RuleMatch.Decline(scaleDamage);
        if (Numerics.NarrowFloat.WriteDamage(type, op.Shift, null, "the shift t") is { } shiftDamage)
            return RuleMatch.Decline(shiftDamage);

        return RuleMatch.Ready(() =>
        {
            // Before opset 7 the constants are [C] aligned from axis 1 (legacy broadcasting), after it [C, 1, ..., 1].
            bool legacy = LegacyBroadcast.Applies(context);
            long[] dims = legacy ? [op.Channels] : [op.Channels, .. Enumerable.Repeat(1L, rank - 2)];
            string stem = bn.Name.Length > 0 ? bn.Name : bn.Output(0);
            string s = context.AddWeight($"{stem}_scale", TensorData.FromDoubles("", type, dims, op.Scale));
            string t = context.AddWeight($"{stem}_shift", TensorData.FromDoubles("", type, dims, op.Shift));
            string scaled = context.Graph.UniqueName($"{stem}_scaled");
            var graph = context.Graph;
            var mul = graph.AddNode("Mul", [op.Input, s], [scaled], graph.UniqueName($"{stem}_mul"), after: bn);
            graph.RemoveNode(bn);
            var add = graph.AddNode("Add", [scaled, t], [op.Output], graph.UniqueName($"{stem}_add"), after: mul);
            LegacyBroadcast.Mark(context, mul, axis: 1);
            LegacyBroadcast.Mark(context, add, axis: 1);
            return "";
        });
    }
}
