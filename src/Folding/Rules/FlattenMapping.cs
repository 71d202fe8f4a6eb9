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
/// the Reshape's shape may be a constant or PyTorch's run-time <c>x.view(x.size(0), -1)</c> expression
/// (<see cref="BatchKeepingShape"/>).
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

    private static string? ReshapeReason(FoldContext context, Node reshape, long? perSample)
    {
        if (BatchKeepingShape.Read(context, reshape, out var shape) is { } unreadable)
            return unreadable;
        string text = ShapeEntry.Format(shape);
        if (shape.Length != 2)
            return $"{reshape.DisplayName} reshapes to {text}, not [N, K]";
        if (reshape.GetInt("allowzero", 0) != 0 && shape.Any(e => !e.IsBatch && e.Value == 0))
            return $"{reshape.DisplayName} has allowzero=1 and a 0 in {text}";
        if (shape[1].IsBatch)
            return $"{reshape.DisplayName} reshapes to {text}: its features entry is the batch size, not -1 or K";
        // [N, -1] and [N, K] with N read from the input at run time, and [0, -1] and [0, K], keep the batch axis by
        // construction; any other first entry does only when one sample holds exactly K elements, which needs the
        // static shape.
        if (shape[0].IsBatch || shape[0].Value == 0)
            return null;
        if (perSample is not long size)
            return $"{reshape.DisplayName} reshapes to {text} and the per-sample size of its input is unknown";
        if (shape[1].Value != -1 && shape[1].Value != size)
            return $"{reshape.DisplayName} reshapes to {text}, which splits samples of {size} elements";
        return null;
    }

    /// <summary>The product of the static dims after the first of the affine op's input (or output), if all are known.</summary>
    private static long? PerSampleSize(FoldContext context, AffineOp op) =>
        context.Shapes.PerSampleSize(op.Input) ?? context.Shapes.PerSampleSize(op.Output);
}
