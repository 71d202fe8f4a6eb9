namespace OnnxBn.Folding.Rules;

/// <summary>
/// Proves, from the model alone, how many entries a value has along one axis. A constant Mul(x, a) with a of shape
/// [C,1,1] is a per-channel scale of x only when x already has C channels there: with 1 it broadcasts x up to C, and
/// every fold that bypasses or removes the op (the reader of y then reads x) would change shapes.
///
/// The size is the graph's static shape (<see cref="ShapeInference"/>): a declared dim, a constant's dims, or what
/// the ops that compute the value fix — a Conv, ConvTranspose, Gemm or MatMul weight, BatchNormalization's
/// parameters, a Reshape's constant or computed shape, carried through same-shape, pooling, Transpose and
/// broadcasting ops (through a broadcasting op the size is an operand's size above 1, or 1 when every operand has
/// 1: a valid model broadcasts no other way). An axis counted from the end beyond a known rank reads as 1, as
/// broadcasting reads it.
/// </summary>
internal static class ChannelCount
{
    /// <summary>The size of <paramref name="value"/> along <paramref name="axis"/>, or null when it cannot be proven.</summary>
    public static long? Along(FoldContext context, string value, ChannelAxis axis)
    {
        if (axis.Uniform || context.Shapes.ShapeOf(value) is not { } shape) return null;
        if (!axis.FromEnd)
            return axis.Index < shape.Count ? shape[axis.Index].Value : null;
        return axis.Index < 1 ? null : shape.Count < axis.Index ? 1 : shape[^axis.Index].Value;
    }

    /// <summary>
    /// Why an affine op that reads <paramref name="x"/> through <paramref name="node"/>'s constant
    /// <paramref name="constant"/> (<paramref name="channels"/> entries along <paramref name="axis"/>) might not keep
    /// x's shape, or null when x provably has that many entries there (or the constant has one value).
    /// </summary>
    public static string? BroadcastRisk(FoldContext context, string x, ChannelAxis axis, int channels, Node node, TensorData constant)
    {
        if (channels == 1 || axis.Uniform) return null;
        string where = axis.Absolute(context.Shapes.RankOf(x)) is int a ? $"axis {a}" : axis.ToString();
        string shape = ShapeMath.Format(constant.DimsArray());
        return Along(context, x, axis) switch
        {
            long n when n == channels => null,
            1 => $"{node.OpType}: '{x}' has 1 entry on {where}, so the {shape} constant broadcasts it to {channels}: not a per-channel op on '{x}'",
            long n => $"{node.OpType}: '{x}' has {n} entries on {where}, but the {shape} constant has {channels}",
            null => $"{node.OpType}: cannot prove '{x}' has {channels} channels on {where}; a {shape} constant could broadcast it",
        };
    }
}
