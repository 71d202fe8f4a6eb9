using OnnxBn.Folding.Numerics;

namespace OnnxBn.Folding.Rules;

/// <summary>
/// BN(Conv(x, W, b)) → Conv(x, W', b')
///
/// Conv's output channel o is computed by filter W[o] (weights [M, C/group, k...], any rank, any group, stride,
/// pad or dilation). A per-channel affine map after it scales and shifts whole output channels, so
///   W'[o] = s[o]·W[o]        b'[o] = s[o]·b[o] + t[o]      (b = 0 when Conv has no bias).
/// The affine op's axis must be Conv's channel axis 1.
/// </summary>
internal sealed class ConvBackwardRule : IFoldRule
{
    public string Name => "Conv←BN";

    public RuleDirection Direction => RuleDirection.Backward;

    public RuleMatch Match(FoldContext context, AffineOp op)
    {
        if (LinearGuards.BackwardProducer(context, op, "Conv", out var conv) is { } declined)
            return declined;
        if (!op.Axis.Is(1, context.Shapes.RankOf(op.Input)))
            return RuleMatch.Decline($"scales {op.Axis}, not Conv's channel axis 1");
        if (!context.TryConstant(conv.Input(1), out var weight))
            return RuleMatch.Decline(context.NotConstant("Conv weight", conv.Input(1)));
        if (!weight.ElementType.IsFoldableFloat() || weight.Rank < 3)
            return RuleMatch.Decline("Conv weight is not a float tensor of rank ≥ 3");
        int outChannels = (int)weight.Dims[0];
        if (op.Channels != outChannels && op.Channels != 1)
            return RuleMatch.Decline($"{op.Channels} channels, but Conv has {outChannels} output channels");
        TensorData? bias = null;
        if (conv.Input(2).Length > 0 && !context.TryConstant(conv.Input(2), out bias))
            return RuleMatch.Decline(context.NotConstant("Conv bias", conv.Input(2)));
        // float16/bfloat16: the folded weights must fit the type as well as the originals did.
        double[] scale = AxisScaling.Broadcast(op.Scale, outChannels), shift = AxisScaling.Broadcast(op.Shift, outChannels);
        if (NarrowFloat.ScaledDamage(weight, 0, scale, "the folded Conv weight") is { } weightDamage)
            return RuleMatch.Decline(weightDamage);
        if (NarrowFloat.BiasDamage(bias?.ElementType ?? weight.ElementType, bias, scale, shift, "the folded Conv bias") is { } biasDamage)
            return RuleMatch.Decline(biasDamage);

        return RuleMatch.Ready(() =>
        {
            double[] s = AxisScaling.Broadcast(op.Scale, outChannels), t = AxisScaling.Broadcast(op.Shift, outChannels);
            var scaled = AxisScaling.ScaledCopy(weight, axis: 0, s);
            double[] b = bias?.ToDoubleArray() ?? new double[outChannels];
            for (int o = 0; o < outChannels; o++)
                b[o] = s[o] * b[o] + t[o];

            string stem = conv.Name.Length > 0 ? conv.Name : conv.Output(0);
            context.ReplaceInputWithWeight(conv, 1, $"{stem}_W_bnfold", scaled, weight);
            var biasType = bias?.ElementType ?? weight.ElementType;
            context.ReplaceInputWithWeight(conv, 2, $"{stem}_B_bnfold", TensorData.FromDoubles("", biasType, [outChannels], b), bias);
            context.RemoveAffineRenamingProducer(op, conv);
            return conv.DisplayName;
        });
    }
}
