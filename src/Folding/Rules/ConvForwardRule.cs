using OnnxBn.Folding.Numerics;

namespace OnnxBn.Folding.Rules;

/// <summary>
/// Conv(BN(x), W, b) → Conv(x, W', b'), only when Conv does not pad or the op does not shift.
///
/// Conv's filter W[o, i, k...] (weights [M, C/group, k...]) reads input channel c = g·(C/group) + i for output
/// channels o of group g. With x̃ = s⊙x + t per input channel and every tap inside the input:
///   W'[o, i, k...] = W[o, i, k...]·s[c]        b'[o] = b[o] + Σ_{i,k} W[o, i, k...]·t[c]
/// Any stride, dilation and group is exact. A padded Conv is not: its zero padding is not shifted by t, so taps
/// at the border would see 0 where the original sees t. auto_pad SAME_UPPER/SAME_LOWER pad too and are declined.
/// A pure scale (t = 0, as <see cref="ScaleThroughActivationRule"/> moves one) folds into a padded Conv as well:
/// scaling commutes with zero padding, pad(s⊙x) = s⊙pad(x).
/// </summary>
internal sealed class ConvForwardRule : IFoldRule, IForwardFolder
{
    public string Name => "BN→Conv";

    public RuleDirection Direction => RuleDirection.Forward;

    public string OpType => "Conv";

    public RuleMatch Match(FoldContext context, AffineOp op) => ForwardFold.Match(context, op, this);

    public string? Plan(FoldContext context, AffineOp op, ForwardSite site, out Action apply)
    {
        apply = () => { };
        var conv = site.Linear;
        if (conv.Input(0) != site.Value || conv.Inputs.Skip(1).Contains(site.Value))
            return "reads the output as a weight, not as X";
        if (op.Shift.Any(v => v != 0) && PaddingReason(conv) is { } padded)
            return padded;
        if (!context.TryConstant(conv.Input(1), out var weight))
            return context.NotConstant("Conv weight", conv.Input(1));
        if (!weight.ElementType.IsFoldableFloat() || weight.Rank < 3)
            return "Conv weight is not a float tensor of rank ≥ 3";
        if (!op.Axis.Is(1, context.Shapes.RankOf(op.Input) ?? weight.Rank))
            return $"scales {op.Axis}, not Conv's channel axis 1";
        long group = conv.GetInt("group", 1);
        int outChannels = (int)weight.Dims[0], perGroup = (int)weight.Dims[1];
        if (group < 1 || outChannels % group != 0)
            return $"group={group} does not divide {outChannels} output channels";
        long inChannels = perGroup * group;
        if (op.Channels != inChannels && op.Channels != 1)
            return $"{op.Channels} channels, but Conv reads {inChannels} input channels";
        TensorData? bias = null;
        if (conv.Input(2).Length > 0 && !context.TryConstant(conv.Input(2), out bias))
            return context.NotConstant("Conv bias", conv.Input(2));

        double[] s = AxisScaling.Broadcast(op.Scale, (int)inChannels), t = AxisScaling.Broadcast(op.Shift, (int)inChannels);
        double[] w = weight.ToDoubleArray();
        double[] b = bias?.ToDoubleArray() ?? new double[outChannels];
        long kernel = ShapeMath.Product(weight.Dims, 2, weight.Rank);
        int outPerGroup = (int)(outChannels / group);
        for (int o = 0; o < outChannels; o++)
        {
            int first = o / outPerGroup * perGroup;
            for (int i = 0; i < perGroup; i++)
            {
                var taps = w.AsSpan((int)((o * perGroup + i) * kernel), (int)kernel);
                double shift = t[first + i];
                foreach (double tap in taps) b[o] += tap * shift;
                System.Numerics.Tensors.TensorPrimitives.Multiply(taps, s[first + i], taps);
            }
        }

        var biasType = bias?.ElementType ?? weight.ElementType;
        if (NarrowFloat.WriteDamage(weight.ElementType, w, weight, "the folded Conv weight") is { } weightDamage)
            return weightDamage;
        if (NarrowFloat.WriteDamage(biasType, b, bias, "the folded Conv bias") is { } biasDamage)
            return biasDamage;

        apply = () =>
        {
            string stem = conv.Name.Length > 0 ? conv.Name : conv.Output(0);
            context.ReplaceInputWithWeight(conv, 1, $"{stem}_W_bnfold", TensorData.FromDoubles("", weight.ElementType, weight.DimsArray(), w), weight);
            context.ReplaceInputWithWeight(conv, 2, $"{stem}_B_bnfold", TensorData.FromDoubles("", biasType, [outChannels], b), bias);
        };
        return null;
    }

    /// <summary>Why the Conv pads its input (which would see the shift at the border), or null when it does not.</summary>
    private static string? PaddingReason(Node conv)
    {
        string autoPad = conv.GetString("auto_pad", "NOTSET");
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
            return $"{conv.DisplayName} is a padded Conv (auto_pad={autoPad}): its zero padding would see the shift at the border";
        if (autoPad is not ("NOTSET" or "VALID" or ""))
            return $"{conv.DisplayName} has auto_pad={autoPad}";
        if (autoPad != "VALID" && conv.GetInts("pads") is { } pads && pads.Any(p => p != 0))
            return $"{conv.DisplayName} is a padded Conv (pads=[{string.Join(",", pads)}]): its zero padding would see the shift at the border";
        return null;
    }
}
