namespace OnnxBn.Folding.Rules;

/// <summary>
/// Recognizes the per-channel affine ops tf2onnx emits instead of BatchNormalization for Keras BN on inputs of rank
/// below 4: Mul(x, a) or Div(x, a), optionally followed by Add(·, b) or Sub(·, b), with a and b constants that vary
/// along one axis ([C], [C,1,1], [1,C,1,1]). A Mul alone is a scale-only BN.
///
/// Unlike a BN, such a Mul may broadcast: x:[N,1,H,W]·a:[C,1,1] is [N,C,H,W]. The op is still recognized (so the
/// report says why it stays), with <see cref="AffineOp.BroadcastRisk"/> set unless <see cref="ChannelCount"/> proves
/// x has C entries on the axis. A constant must not raise x's rank either: with x's rank unknown, only constants of
/// rank ≤ 1 are read.
/// </summary>
internal static class ChannelAffineRecognizer
{
    public static AffineOp? Recognize(FoldContext context, Node first)
    {
        if (!(first.Is("Mul") || first.Is("Div")) || first.Inputs.Count != 2)
            return null;
        // Before opset 7 a [C] constant may align from an axis attribute, not from the end; tf2onnx, whose BN form
        // this is, never wrote such models, and reading them numpy-style would scale the wrong axis.
        if (LegacyBroadcast.Applies(context))
            return null;
        if (!TryConstantOperand(context, first, allowLeft: first.Is("Mul"), out string x, out var scaleTensor))
            return null;
        if (!TryChannelVector(context, scaleTensor, x, out var scale, out var axis))
            return null;
        var (widest, widestNode) = (scaleTensor, first);
        if (first.Is("Div"))
            scale = scale.Select(v => 1.0 / v).ToArray();

        var nodes = new List<Node> { first };
        double[]? shift = null;
        ChannelAxis? shiftAxis = null;
        if (context.SoleConsumer(first.Output(0)) is { } second && (second.Is("Add") || second.Is("Sub"))
            && TryConstantOperand(context, second, allowLeft: second.Is("Add"), out string y, out var shiftTensor)
            && y == first.Output(0)
            && TryChannelVector(context, shiftTensor, x, out var b, out var bAxis))
        {
            shift = second.Is("Sub") ? b.Select(v => -v).ToArray() : b;
            shiftAxis = bAxis;
            nodes.Add(second);
            if (b.Length > scale.Length) (widest, widestNode) = (shiftTensor, second);
        }

        if (!Broadcast.TryAlign(ref scale, axis, ref shift, shiftAxis, out var commonAxis) || scale.Length == 1 && shift is null)
            return null;
        shift ??= new double[scale.Length];
        if (scale.Any(v => !double.IsFinite(v)))
            return null;
        string kind = string.Join("+", nodes.Select(n => n.OpType));
        return new AffineOp(nodes, nodes[0].DisplayName, kind, x, nodes[^1].Output(0), scale, shift, commonAxis, 0)
        {
            BroadcastRisk = ChannelCount.BroadcastRisk(context, x, commonAxis, scale.Length, widestNode, widest),
        };
    }

    private static bool TryConstantOperand(FoldContext context, Node node, bool allowLeft, out string variable, out TensorData constant)
    {
        if (context.TryConstant(node.Input(1), out constant) && !context.TryConstant(node.Input(0), out _))
        {
            variable = node.Input(0);
            return true;
        }
        if (allowLeft && context.TryConstant(node.Input(0), out constant) && !context.TryConstant(node.Input(1), out _))
        {
            variable = node.Input(1);
            return true;
        }
        variable = "";
        return false;
    }

    /// <summary>
    /// A constant whose dims are all 1 except at most one, and whose rank does not exceed x's (so broadcasting does
    /// not change the output's rank; with x's rank unknown, rank ≤ 1): its values and the axis they vary along.
    /// </summary>
    private static bool TryChannelVector(FoldContext context, TensorData constant, string x, out double[] values, out ChannelAxis axis)
    {
        values = [];
        axis = default;
        if (!constant.ElementType.IsFoldableFloat()) return false;
        var dims = constant.Dims;
        var varying = Enumerable.Range(0, dims.Count).Where(i => dims[i] != 1).ToList();
        if (varying.Count > 1) return false;
        int? xRank = context.Shapes.RankOf(x);
        if (xRank is int r ? dims.Count > r : dims.Count > 1)
            return false;
        values = constant.ToDoubleArray();
        // All dims 1: one value for every element, so any axis a rule needs (a merged 1-channel BN chain after a
        // Conv is such a Mul+Add, and must still fold into the Conv's axis 1).
        axis = varying.Count == 1 ? new ChannelAxis(dims.Count - varying[0], FromEnd: true) : ChannelAxis.Any;
        return true;
    }
}
