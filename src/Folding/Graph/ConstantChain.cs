namespace OnnxBn.Folding;

/// <summary>
/// Evaluates the short chains of data-movement ops exporters put between a constant and the node that reads it:
/// <code>
///   W (float16 initializer) ─ Cast(to=float) ─ Conv          (mixed-precision exports)
///   γ ─ Identity ─ BatchNormalization                          (shared parameters, Constant-folded graphs)
///   b [C] ─ Reshape([C,1,1]) | Unsqueeze(axes [1,2]) ─ Add     (Keras-style biases)
/// </code>
/// Cast (between float types, or between int32 and int64), Identity, Reshape, Unsqueeze, Squeeze and Flatten of a
/// constant (an initializer that is not a graph input, or a Constant node) are constants too; their value is computed
/// as ONNX defines it (Cast rounds to nearest even). So are element-wise arithmetic and reductions of float constants
/// (<see cref="ConstantArithmetic"/>, <see cref="ConstantReduction"/>: the parameters exporters compute without
/// constant folding, such as torchvision's FrozenBatchNorm2d scale w·1/√(var + ε) or weight_norm's g·v/‖v‖). Results are remembered per value for as long as the
/// producing node is the same, so a chain of a large weight is evaluated once per fold round.
/// </summary>
internal sealed class ConstantChain(Graph graph)
{
    /// <summary>How many chain ops a value may sit behind; FrozenBatchNorm2d's shift is eight deep.</summary>
    private const int MaxDepth = 12;

    private readonly Dictionary<string, (Node Producer, TensorData Value)> _known = new(StringComparer.Ordinal);

    /// <summary>
    /// Values asked for directly and found not constant, with their producer: a data path is walked once per round.
    /// (A value found not constant deeper down may only have been too deep.)
    /// </summary>
    private readonly Dictionary<string, Node> _unknown = new(StringComparer.Ordinal);

    /// <summary>True for the op types a chain is made of.</summary>
    public static bool IsChainOp(Node node) =>
        node.Is("Cast") || node.Is("Identity") || node.Is("Reshape") || node.Is("Unsqueeze") || node.Is("Squeeze") || node.Is("Flatten") ||
        node.Domain is "" or "ai.onnx" && (ConstantArithmetic.Computes(node) || ConstantReduction.Computes(node));

    /// <summary>The constant value of <paramref name="value"/>: a plain constant, or one behind a chain.</summary>
    public bool TryGet(string value, out TensorData tensor) => TryGet(value, 0, out tensor);

    private bool TryGet(string value, int depth, out TensorData tensor)
    {
        if (graph.TryGetConstant(value, out tensor)) return true;
        tensor = null!;
        if (depth >= MaxDepth || graph.Producer(value) is not { } node || !IsChainOp(node) || node.Output(0) != value)
            return false;
        if (_known.TryGetValue(value, out var known) && ReferenceEquals(known.Producer, node))
        {
            tensor = known.Value;
            return true;
        }
        if (_unknown.TryGetValue(value, out var failed) && ReferenceEquals(failed, node))
            return false;
        if (Evaluate(node, depth) is not { } result)
        {
            if (depth == 0)
                _unknown[value] = node;
            return false;
        }
        tensor = result.WithName(value);
        _known[value] = (node, tensor);
        return true;
    }

    private TensorData? Evaluate(Node node, int depth)
    {
        bool reduction = ConstantReduction.Computes(node);
        if (!reduction && !ConstantArithmetic.Computes(node))
            return TryGet(node.Input(0), depth + 1, out var input) ? Evaluate(node, input, depth) : null;
        var inputs = new List<TensorData>(node.Inputs.Count);
        foreach (var name in node.Inputs)
        {
            if (name.Length == 0 || !TryGet(name, depth + 1, out var value))
                return null;
            inputs.Add(value);
        }
        return reduction ? ConstantReduction.Evaluate(node, inputs) : ConstantArithmetic.Evaluate(node, inputs);
    }

    private TensorData? Evaluate(Node node, TensorData input, int depth) => node.OpType switch
    {
        "Identity" => input,
        "Cast" => Cast(input, (OnnxDataType)node.GetInt("to", 0)),
        "Flatten" => Flatten(input, node.GetInt("axis", 1)),
        "Reshape" => ConstantInts(node.Input(1), depth) is { } shape ? Reshape(input, shape, node.GetInt("allowzero", 0) != 0) : null,
        "Unsqueeze" => Axes(node, depth) is { } axes ? Unsqueeze(input, axes) : null,
        "Squeeze" => (node.GetInts("axes") ?? (node.Input(1).Length > 0 ? ConstantInts(node.Input(1), depth) : [])) is { } axes
            ? Squeeze(input, axes) : null,
        _ => null,
    };

    private long[]? Axes(Node node, int depth) =>
        node.GetInts("axes") ?? (node.Input(1).Length > 0 ? ConstantInts(node.Input(1), depth) : null);

    private long[]? ConstantInts(string value, int depth)
    {
        if (!TryGet(value, depth + 1, out var t)) return null;
        return t.ElementType switch
        {
            OnnxDataType.Int64 => t.ToArray<long>(),
            OnnxDataType.Int32 => [.. t.ToArray<int>().Select(v => (long)v)],
            _ => null,
        };
    }

    /// <summary>Float to float rounds to nearest even (through float64, which holds every source value exactly); int32 ↔ int64 wraps as C does.</summary>
    private static TensorData? Cast(TensorData input, OnnxDataType to)
    {
        if (input.ElementType == to) return input;
        if (input.ElementType.IsFoldableFloat() && to.IsFoldableFloat())
            return TensorData.FromDoubles(input.Name, to, input.DimsArray(), input.ToDoubleArray());
        return (input.ElementType, to) switch
        {
            (OnnxDataType.Int32, OnnxDataType.Int64) =>
                TensorData.Create(input.Name, input.DimsArray(), input.ToArray<int>().Select(v => (long)v).ToArray().AsSpan()),
            (OnnxDataType.Int64, OnnxDataType.Int32) =>
                TensorData.Create(input.Name, input.DimsArray(), input.ToArray<long>().Select(v => unchecked((int)v)).ToArray().AsSpan()),
            _ => null,
        };
    }

    private static TensorData? Reshape(TensorData input, long[] shape, bool allowZero)
    {
        var dims = new long[shape.Length];
        int inferred = -1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (inferred >= 0) return null;
                inferred = i;
                dims[i] = 1;
            }
            else if (shape[i] == 0 && !allowZero)
            {
                if (i >= input.Rank) return null;
                dims[i] = input.Dims[i];
            }
            else if (shape[i] < 0) return null;
            else dims[i] = shape[i];
        }
        long known = dims.Aggregate(1L, (p, d) => p * d);
        if (inferred >= 0)
        {
            if (known == 0 || input.ElementCount % known != 0) return null;
            dims[inferred] = input.ElementCount / known;
        }
        return ShapeMath.ElementCount(dims) == input.ElementCount ? input.WithDims(dims) : null;
    }

    private static TensorData? Unsqueeze(TensorData input, long[] axes)
    {
        int rank = input.Rank + axes.Length;
        var inserted = axes.Select(a => a < 0 ? a + rank : a).ToHashSet();
        if (inserted.Count != axes.Length || inserted.Any(a => a < 0 || a >= rank)) return null;
        var dims = new long[rank];
        for (int i = 0, next = 0; i < rank; i++)
            dims[i] = inserted.Contains(i) ? 1 : input.Dims[next++];
        return input.WithDims(dims);
    }

    private static TensorData? Squeeze(TensorData input, long[] axes)
    {
        var removed = axes.Length == 0
            ? Enumerable.Range(0, input.Rank).Where(i => input.Dims[i] == 1).Select(i => (long)i).ToHashSet()
            : axes.Select(a => a < 0 ? a + input.Rank : a).ToHashSet();
        if (removed.Any(a => a < 0 || a >= input.Rank || input.Dims[(int)a] != 1)) return null;
        return input.WithDims(input.Dims.Where((_, i) => !removed.Contains(i)).ToArray());
    }

    private static TensorData? Flatten(TensorData input, long axis)
    {
        if (axis < 0) axis += input.Rank;
        if (axis < 0 || axis > input.Rank) return null;
        return input.WithDims([ShapeMath.Product(input.Dims, 0, (int)axis), ShapeMath.Product(input.Dims, (int)axis, input.Rank)]);
    }
}
