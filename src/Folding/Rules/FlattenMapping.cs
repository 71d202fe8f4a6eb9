namespace OnnxBn.Folding.Rules;

/// <summary>
/// One reader of an affine op's output as a forward rule sees it: the linear node, and the Flatten/Reshape the
/// value passes through on the way there, if any.
/// </summary>
/// <param name="Linear">The node the affine op would be folded into.</param>
/// <param name="Value">The value <see cref="Linear"/> reads: the affine output, or the Flatten/Reshape output.</param>
/// <param name="Via">The Flatten or Reshape in between, or null when <see cref="Linear"/> reads the output itself.</param>
/// <param name="PerSampleSize">The static size of one sample of the affine input (all dims after the first), if known.</param>
/// <param name="Inner">
/// Through a Flatten of a tensor whose channels are on an axis after 1 (a Transpose moved them): the static number
/// of elements after the channel axis; null when the channels are axis 1.
/// </param>
internal sealed record ForwardSite(Node Linear, string Value, Node? Via, long? PerSampleSize, long? Inner = null)
{
    /// <summary>
    /// Which channel each of the linear op's <paramref name="features"/> input features reads: itself when the op
    /// reads the channels directly; through a Flatten, feature k reads channel (k / inner) mod C, where inner is the
    /// number of elements after the channel axis (K / C when the channels are axis 1: each channel a block of K / C).
    /// </summary>
    public string? Layout(AffineOp op, long features, out FeatureLayout layout)
    {
        layout = new FeatureLayout(op.Channels, 1);
        if (Via is null)
        {
            if (features != op.Channels && op.Channels != 1)
                return $"{op.Channels} channels, but {Linear.DisplayName} has {features} input features";
            layout = new FeatureLayout(op.Channels, op.Channels == 1 ? features : 1);
            return null;
        }
        if (features % op.Channels != 0)
            return $"{Linear.DisplayName} has {features} input features, not a multiple of {op.Channels} channels";
        if (PerSampleSize is long size && size != features)
            return $"{Via.DisplayName} gives {size} features per sample, but {Linear.DisplayName} reads {features}";
        layout = new FeatureLayout(op.Channels, Inner ?? features / op.Channels);
        return null;
    }
}

/// <summary>Input feature k of a linear op reads channel (k / <paramref name="Inner"/>) mod <paramref name="Channels"/>.</summary>
internal readonly record struct FeatureLayout(int Channels, long Inner)
{
    /// <summary>The per-feature vector of <paramref name="features"/> entries for a per-channel one (1 or C values).</summary>
    public double[] Expand(double[] perChannel, long features)
    {
        var result = new double[features];
        for (long k = 0; k < features; k++)
            result[k] = perChannel[perChannel.Length == 1 ? 0 : (int)(k / Inner % Channels)];
        return result;
    }
}

/// <summary>
/// Follows an affine op's output through a Flatten(axis=1) or a Reshape to [N, K] into the Gemm/MatMul behind it;
/// the Reshape's target may be any constant or run-time expression whose result the shape inference can tell.
/// Flattening [N, C, d...] keeps channel c's elements together, so channel c becomes the contiguous block
/// [c·P, (c+1)·P) of the K = C·P features: a forward fold scales and shifts that block. With the channels on a
/// later axis (a Transpose to NHWC before the Flatten), channel c is every feature k with (k / inner) mod C = c.
/// </summary>
internal static class FlattenMapping
{
    /// <summary>The site behind <paramref name="consumer"/>, or the reason it cannot be folded into.</summary>
    public static string? Resolve(FoldContext context, AffineOp op, Node consumer, out ForwardSite site)
    {
        site = new ForwardSite(consumer, op.Output, null, null);
        if (!consumer.Is("Flatten") && !consumer.Is("Reshape"))
            return null;
        if (consumer.Input(0) != op.Output || consumer.Inputs.Skip(1).Contains(op.Output))
            return $"{consumer.DisplayName} reads the output as its shape";
        int? rank = context.Shapes.RankOf(op.Input);
        if (ChannelStride(context, op, rank, out long? inner) is { } unknown)
            return $"{unknown}, so which features of {consumer.DisplayName} each channel becomes cannot be told";
        long? perSample = PerSampleSize(context, op);
        string? reason = consumer.Is("Flatten") ? FlattenReason(consumer, rank) : ReshapeReason(context, consumer, perSample);
        if (reason is not null)
            return reason;

        string flat = consumer.Output(0);
        if (context.SoleConsumer(flat) is not { } linear)
            return $"{consumer.DisplayName} output is a graph output or feeds {context.Graph.Consumers(flat).Count} nodes";
        if (!linear.Is("Gemm") && !linear.Is("MatMul"))
            return $"{consumer.DisplayName} feeds {linear.OpType} {linear.DisplayName}, not Gemm or MatMul";
        site = new ForwardSite(linear, flat, consumer, perSample, inner);
        return null;
    }

    /// <summary>
    /// The number of elements after the channel axis of the flattened tensor when that axis is not 1 (null for axis
    /// 1, where each channel is one block), or why it is unknown. The batch axis 0 must stay alone.
    /// </summary>
    private static string? ChannelStride(FoldContext context, AffineOp op, int? rank, out long? inner)
    {
        inner = null;
        if (op.Axis.Uniform || op.Axis.Is(1, rank))
            return null;
        if (op.Axis.Absolute(rank) is not int axis || axis < 1)
            return $"scales {op.Axis}";
        if (context.Shapes.ShapeOf(op.Input) is not { } shape || shape.Skip(axis + 1).Any(d => d.Value is null))
            return $"scales axis {axis} and the dims after it are unknown";
        inner = shape.Skip(axis + 1).Aggregate(1L, (product, d) => product * d.Value!.Value);
        return null;
    }

    private static string? FlattenReason(Node flatten, int? rank)
    {
        long axis = flatten.GetInt("axis", 1);
        if (axis == 1 || axis < 0 && rank is int r && axis + r == 1)
            return null;
        return $"{flatten.DisplayName} has axis={axis}, which does not keep the batch axis alone";
    }

    /// <summary>
    /// A Reshape is a flatten when the shape inference (the one <c>onnxbn inspect</c> prints) shows its output is
    /// [N, P]: rank 2, and dim 0 is the input's dim 0 or dim 1 is the input's static per-sample size P. The element
    /// count is unchanged, so either entry fixes the other. How the target was computed (a constant,
    /// <c>x.view(x.size(0), -1)</c>, a Slice of Shape, a product of Gathers) is the inference's business, not ours.
    /// </summary>
    private static string? ReshapeReason(FoldContext context, Node reshape, long? perSample)
    {
        var shapes = context.Shapes;
        string target = shapes.ValuesOf(reshape.Input(1)) is { } entries ? Format(entries) : $"'{reshape.Input(1)}'";
        if (shapes.ShapeOf(reshape.Output(0)) is not { } output)
            return $"{reshape.DisplayName} reshapes to {target}, whose length (the output rank) cannot be told";
        if (output.Count != 2)
            return $"{reshape.DisplayName} reshapes to {target}, not [N, K]";
        var batch = shapes.ShapeOf(reshape.Input(0)) is { Count: > 0 } input ? input[0] : (Dimension?)null;
        if (batch is { } n && SameSize(output[0], n))
            return null;
        if (output[1].Value is not long features)
            return $"{reshape.DisplayName} reshapes to {target}, giving {Format(output)}: neither is dim 0 the batch dim "
                + $"{batch?.ToString() ?? "?"} of '{reshape.Input(0)}' nor dim 1 a static size";
        if (perSample is not long size)
            return $"{reshape.DisplayName} reshapes to {target} and the per-sample size of its input is unknown";
        return features == size ? null : $"{reshape.DisplayName} reshapes to {target}, which splits samples of {size} elements";
    }

    /// <summary>Two dims are the same size when both are the same number, or both the same symbol (dim_param).</summary>
    private static bool SameSize(Dimension a, Dimension b) =>
        a.Value is long size ? b.Value == size : b.Value is null && a.Symbol is not null && a.Symbol == b.Symbol;

    /// <summary>"[N,-1]", "[?,256]": a shape vector's entries or a value's dims as the inference knows them.</summary>
    private static string Format(IEnumerable<Dimension> dims) => "[" + string.Join(",", dims) + "]";

    /// <summary>The product of the static dims after the first of the affine op's input (or output), if all are known.</summary>
    private static long? PerSampleSize(FoldContext context, AffineOp op) =>
        context.Shapes.PerSampleSize(op.Input) ?? context.Shapes.PerSampleSize(op.Output);
}
