namespace OnnxBn.Folding.Rules;

/// <summary>
/// Proves, from the model alone, how many entries a value has along one axis. A constant Mul(x, a) with a of shape
/// [C,1,1] is a per-channel scale of x only when x already has C channels there: with 1 it broadcasts x up to C, and
/// every fold that bypasses or removes the op (the reader of y then reads x) would change shapes.
///
/// The size is read from a declared dim (graph input, output, value_info) or a constant's dims, or by walking up
/// from the value through ops that keep it (activations, Identity, Dropout, Cast, normalizations, pooling on axes
/// 0 and 1, Transpose, the broadcasting Add/Sub/Mul/Div…) to a node that fixes it: the constant weight of a Conv,
/// ConvTranspose, Gemm or MatMul, BatchNormalization's parameters, a Reshape's constant shape. Through a
/// broadcasting op the size is an operand's size above 1, or 1 when every operand has 1 (a valid model broadcasts
/// no other way). Axes are counted from the end (1 = last), which broadcasting and rank-keeping ops preserve.
/// </summary>
internal static class ChannelCount
{
    /// <summary>How far up a walk goes; exported graphs put at most a few shape-keeping ops between linear ops.</summary>
    private const int MaxDepth = 64;

    private static readonly HashSet<string> KeepShape =
    [
        "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Softplus",
        "Softsign", "Gelu", "Mish", "ThresholdedRelu", "Clip", "Identity", "Dropout", "Cast", "Neg", "Abs", "Exp", "Log",
        "Sqrt", "Reciprocal", "Erf", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Softmax", "LogSoftmax", "LRN",
        "InstanceNormalization", "LayerNormalization",
    ];

    private static readonly HashSet<string> Broadcasting = ["Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean"];

    private static readonly HashSet<string> Pooling =
        ["MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"];

    /// <summary>The size of <paramref name="value"/> along <paramref name="axis"/>, or null when it cannot be proven.</summary>
    public static long? Along(FoldContext context, string value, ChannelAxis axis)
    {
        if (axis.Uniform) return null;
        int? fromEnd = axis.FromEnd ? axis.Index : context.Ranks.RankOf(value) - axis.Index;
        return fromEnd is int k && k >= 1 ? new Walk(context).Size(value, k, 0) : null;
    }

    /// <summary>
    /// Why an affine op that reads <paramref name="x"/> through <paramref name="node"/>'s constant
    /// <paramref name="constant"/> (<paramref name="channels"/> entries along <paramref name="axis"/>) might not keep
    /// x's shape, or null when x provably has that many entries there (or the constant has one value).
    /// </summary>
    public static string? BroadcastRisk(FoldContext context, string x, ChannelAxis axis, int channels, Node node, TensorData constant)
    {
        if (channels == 1 || axis.Uniform) return null;
        string where = axis.Absolute(context.Ranks.RankOf(x)) is int a ? $"axis {a}" : axis.ToString();
        string shape = ShapeMath.Format(constant.DimsArray());
        return Along(context, x, axis) switch
        {
            long n when n == channels => null,
            1 => $"{node.OpType}: '{x}' has 1 entry on {where}, so the {shape} constant broadcasts it to {channels}: not a per-channel op on '{x}'",
            long n => $"{node.OpType}: '{x}' has {n} entries on {where}, but the {shape} constant has {channels}",
            null => $"{node.OpType}: cannot prove '{x}' has {channels} channels on {where}; a {shape} constant could broadcast it",
        };
    }

    /// <summary>One proof: remembers each value's answer, so a walk up both sides of residual Adds stays linear.</summary>
    private sealed class Walk(FoldContext context)
    {
        private readonly Dictionary<(string, int), long?> _known = [];

        public long? Size(string value, int fromEnd, int depth)
        {
            if (value.Length == 0 || depth > MaxDepth) return null;
            if (_known.TryGetValue((value, fromEnd), out var known)) return known;
            long? size = context.TryConstant(value, out var constant) ? FromEnd(constant.Dims, fromEnd)
                : Declared(value, fromEnd) ?? FromProducer(value, fromEnd, depth);
            _known[(value, fromEnd)] = size;
            return size;
        }

        /// <summary>The declared dim; a declared rank below the axis reads as 1, as broadcasting reads it.</summary>
        private long? Declared(string value, int fromEnd)
        {
            if (context.Graph.FindValueInfo(value)?.Shape is not { } shape) return null;
            return shape.Count < fromEnd ? 1 : shape[^fromEnd].Value;
        }

        private long? FromProducer(string value, int fromEnd, int depth)
        {
            if (context.Graph.Producer(value) is not { } node || node.Output(0) != value || node.Domain is not ("" or "ai.onnx"))
                return null;
            string op = node.OpType;
            if (KeepShape.Contains(op)) return Size(node.Input(0), fromEnd, depth + 1);
            if (Broadcasting.Contains(op)) return Broadcast(node, fromEnd, depth + 1);
            int? axis = context.Ranks.RankOf(value) - fromEnd;
            if (Pooling.Contains(op)) return axis is 0 or 1 ? Size(node.Input(0), fromEnd, depth + 1) : null;
            return op switch
            {
                "BatchNormalization" => axis == 1 && context.TryConstant(node.Input(1), out var scale) ? scale.ElementCount
                    : Size(node.Input(0), fromEnd, depth + 1),
                "Conv" => WeightDim(node, fromEnd, w => w.Dims[0]),
                "ConvTranspose" => WeightDim(node, fromEnd, w => node.GetInt("group", 1) * w.Dims[1]),
                "Gemm" => fromEnd == 1 && context.TryConstant(node.Input(1), out var b) && b.Rank == 2
                    ? b.Dims[node.GetInt("transB", 0) != 0 ? 0 : 1] : null,
                "MatMul" => fromEnd == 1 && MatMulWeight.Resolve(context, node.Input(1), out var weight) is null ? weight.Columns : null,
                "Transpose" => Transposed(node, fromEnd, depth),
                "Reshape" => Reshaped(node, fromEnd),
                _ => null,
            };
        }

        /// <summary>An operand's size above 1 (a valid model has no other), else 1 when every operand is proven 1.</summary>
        private long? Broadcast(Node node, int fromEnd, int depth)
        {
            bool allOne = true;
            foreach (string input in node.Inputs.Where(i => i.Length > 0).OrderBy(i => context.TryConstant(i, out _) ? 0 : 1))
            {
                long? size = Size(input, fromEnd, depth);
                if (size > 1) return size;
                allOne &= size == 1;
            }
            return allOne ? 1 : null;
        }

        /// <summary>A Conv-like node's channel count, read from its constant weight [., ., k...] (axis 1 of the output).</summary>
        private long? WeightDim(Node node, int fromEnd, Func<TensorData, long> channels) =>
            context.TryConstant(node.Input(1), out var weight) && weight.Rank >= 3 && fromEnd == weight.Rank - 1
                ? channels(weight) : null;

        /// <summary>Output axis i of a Transpose is input axis perm[i] (both of rank perm.Length).</summary>
        private long? Transposed(Node node, int fromEnd, int depth)
        {
            if (node.GetInts("perm") is not { } perm || fromEnd > perm.Length) return null;
            long source = perm[perm.Length - fromEnd];
            return source is >= 0 && source < perm.Length ? Size(node.Input(0), perm.Length - (int)source, depth + 1) : null;
        }

        /// <summary>A positive entry of a constant target shape is the size (0 and -1 depend on the input).</summary>
        private long? Reshaped(Node node, int fromEnd)
        {
            if (!context.TryConstant(node.Input(1), out var shape) || shape.ElementType != TensorElementType.Int64
                || shape.Rank != 1 || shape.ElementCount < fromEnd)
                return null;
            long entry = shape.ToArray<long>()[^fromEnd];
            return entry > 0 ? entry : null;
        }

        private static long FromEnd(IReadOnlyList<long> dims, int fromEnd) => dims.Count < fromEnd ? 1 : dims[^fromEnd];
    }
}
