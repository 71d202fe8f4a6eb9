namespace OnnxBn.Folding.Rules;

/// <summary>
/// One reader of an affine op's output as a forward rule sees it: the linear node, and the Flatten/Reshape the
/// value passes through on the way there, if any.
/// </summary>
/// <param name="Linear">The node the affine op would be folded into.</param>
/// <param name="Value">The value <see cref="Linear"/> reads: the affine output, or the Flatten/Reshape output.</param>
/// <param name="Via">The Flatten or Reshape in between, or null when <see cref="Linear"/> reads the output itself.</param>
/// <param name="PerSampleSize">The static size of one sample of the affine input (all dims after the first), if known.</param>
internal sealed record ForwardSite(Node Linear, string Value, Node? Via, long? PerSampleSize)
{
    /// <summary>
    /// How many consecutive input features of the linear op each channel covers, given its feature count: 1 when the
    /// op reads the channels directly, the channel's spatial size P = K / C through a Flatten.
    /// </summary>
    public string? Repeat(AffineOp op, long features, out int repeat)
    {
        repeat = 1;
        if (Via is null)
        {
            if (features != op.Channels && op.Channels != 1)
                return $"{op.Channels} channels, but {Linear.DisplayName} has {features} input features";
            repeat = op.Channels == 1 ? (int)features : 1;
            return null;
        }
        if (features % op.Channels != 0)
            return $"{Linear.DisplayName} has {features} input features, not a multiple of {op.Channels} channels";
        if (PerSampleSize is long size && size != features)
            return $"{Via.DisplayName} gives {size} features per sample, but {Linear.DisplayName} reads {features}";
        repeat = (int)(features / op.Channels);
        return null;
    }

    /// <summary>Each channel's value repeated <paramref name="repeat"/> times: the per-feature vector after Flatten.</summary>
    public static double[] Expand(double[] perChannel, int repeat)
    {
        if (repeat == 1) return perChannel;
        var result = new double[perChannel.Length * repeat];
        for (int c = 0; c < perChannel.Length; c++)
            Array.Fill(result, perChannel[c], c * repeat, repeat);
        return result;
    }
}

/// <summary>
/// Follows an affine op's output through a Flatten(axis=1) or a Reshape to [N, K] into the Gemm/MatMul behind it;
/// the Reshape's shape may be a constant or PyTorch's run-time <c>x.view(x.size(0), -1)</c> expression
/// (<see cref="BatchKeepingShape"/>).
/// Flattening [N, C, d...] keeps channel c's elements together, so channel c becomes the contiguous block
/// [c·P, (c+1)·P) of the K = C·P features: a forward fold scales and shifts that block.
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
        if (!op.Axis.Is(1, rank))
            return $"scales {op.Axis}, but {consumer.OpType} keeps only axis 1 contiguous";
        long? perSample = PerSampleSize(context, op);
        string? reason = consumer.Is("Flatten") ? FlattenReason(consumer, rank) : ReshapeReason(context, consumer, perSample);
        if (reason is not null)
            return reason;

        string flat = consumer.Output(0);
        if (context.SoleConsumer(flat) is not { } linear)
            return $"{consumer.DisplayName} output is a graph output or feeds {context.Graph.Consumers(flat).Count} nodes";
        if (!linear.Is("Gemm") && !linear.Is("MatMul"))
            return $"{consumer.DisplayName} feeds {linear.OpType} {linear.DisplayName}, not Gemm or MatMul";
        site = new ForwardSite(linear, flat, consumer, perSample);
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
