using OnnxBn.Folding.Numerics;

namespace OnnxBn.Folding.Rules;

/// <summary>
/// BN(ConvTranspose(x, W, b)) → ConvTranspose(x, W', b')
///
/// ConvTranspose's weight is [C_in, C_out/group, k...]: input channels first. With G = group, output channel
/// o = g·(C_out/G) + j is written only by the slices W[g·(C_in/G) + i, j, ...] for every i of group g. Scaling that
/// output channel by s[o] therefore scales axis 1 of W, with a different block of s per group:
///   W'[g·(C_in/G) + i, j, ...] = s[g·(C_out/G) + j]·W[g·(C_in/G) + i, j, ...]
///   b'[o] = s[o]·b[o] + t[o]                                  (b = 0 when absent).
/// The affine op's axis must be the channel axis 1.
/// </summary>
internal sealed class ConvTransposeBackwardRule : IFoldRule
{
    public string Name => "ConvTranspose←BN";

    public RuleDirection Direction => RuleDirection.Backward;

    public RuleMatch Match(FoldContext context, AffineOp op)
    {
        if (LinearGuards.BackwardProducer(context, op, "ConvTranspose", out var deconv) is { } declined)
            return declined;
        if (!op.Axis.Is(1, context.Shapes.RankOf(op.Input)))
            return RuleMatch.Decline($"scales {op.Axis}, not ConvTranspose's channel axis 1");
        if (!context.TryConstant(deconv.Input(1), out var weight))
            return RuleMatch.Decline(context.NotConstant("ConvTranspose weight", deconv.Input(1)));
        if (!weight.ElementType.IsFoldableFloat() || weight.Rank < 3)
            return RuleMatch.Decline("ConvTranspose weight is not a float tensor of rank ≥ 3");
        long group = deconv.GetInt("group", 1);
        if (group < 1 || weight.Dims[0] % group != 0)
            return RuleMatch.Decline($"group {group} does not divide the weight's {weight.Dims[0]} input channels");
        int perGroup = (int)weight.Dims[1], outChannels = (int)(group * perGroup);
        if (op.Channels != outChannels && op.Channels != 1)
            return RuleMatch.Decline($"{op.Channels} channels, but ConvTranspose has {outChannels} output channels");
        TensorData? bias = null;
        if (deconv.Input(2).Length > 0 && !context.TryConstant(deconv.Input(2), out bias))
            return RuleMatch.Decline(context.NotConstant("ConvTranspose bias", deconv.Input(2)));
        double[] s = AxisScaling.Broadcast(op.Scale, outChannels), t = AxisScaling.Broadcast(op.Shift, outChannels);
        double[] w = weight.ToDoubleArray();
        ScalePerGroup(w, weight.Dims, (int)group, s);
        double[] b = bias?.ToDoubleArray() ?? new double[outChannels];
        for (int o = 0; o < outChannels; o++)
            b[o] = s[o] * b[o] + t[o];
        var biasType = bias?.ElementType ?? weight.ElementType;
        if (NarrowFloat.WriteDamage(weight.ElementType, w, weight, "the folded ConvTranspose weight") is { } weightDamage)
            return RuleMatch.Decline(weightDamage);
        if (NarrowFloat.WriteDamage(biasType, b, bias, "the folded ConvTranspose bias") is { } biasDamage)
            return RuleMatch.Decline(biasDamage);

        return RuleMatch.Ready(() =>
        {

            string stem = deconv.Name.Length > 0 ? deconv.Name : deconv.Output(0);
            context.ReplaceInputWithWeight(deconv, 1, $"{stem}_W_bnfold", TensorData.FromDoubles("", weight.ElementType, weight.DimsArray(), w), weight);
            context.ReplaceInputWithWeight(deconv, 2, $"{stem}_B_bnfold", TensorData.FromDoubles("", biasType, [outChannels], b), bias);
            context.RemoveAffineRenamingProducer(op, deconv);
            return deconv.DisplayName;
        });
    }

    /// <summary>
    /// Each group's rows of W are contiguous ([C_in/G, C_out/G, k...]): scale that block along its axis 1 by the
    /// group's share of s.
    /// </summary>
    private static void ScalePerGroup(double[] w, IReadOnlyList<long> dims, int group, double[] s)
    {
        long[] groupDims = [.. dims];
        groupDims[0] /= group;
        int perGroup = (int)dims[1];
        int blockLength = w.Length / group;
        for (int g = 0; g < group; g++)
            AxisScaling.ScaleAlong(w.AsSpan(g * blockLength, blockLength), groupDims, axis: 1, s.AsSpan(g * perGroup, perGroup));
    }
}
