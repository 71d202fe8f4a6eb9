namespace OnnxBn.Folding;

/// <summary>Contents of the integer scalars and vectors that compute shapes (Shape, Gather, Slice, Concat...).</summary>
public sealed partial class ShapeInference
{
    private Dimension[]? InferValues(Node node)
    {
        var values = node.OpType switch
        {
            "Shape" => _shapes.TryGetValue(node.Input(0), out var x) ? ShapeSlice(node, x.Length) is var (from, to) ? x[from..to] : null : null,
            "Size" => _shapes.TryGetValue(node.Input(0), out var s) ? [Product(s.Length == 0 ? [Known(1)] : s)] : null,
            "Identity" or "Unsqueeze" or "Squeeze" or "Reshape" or "Flatten" => ValuesOf(node.Input(0))?.ToArray(),
            "Cast" => (OnnxDataType)node.GetInt("to", 0) is OnnxDataType.Int64 or OnnxDataType.Int32
                ? ValuesOf(node.Input(0))?.ToArray() : null,
            "Concat" => ConcatValues(node),
            "Gather" => GatherValues(node),
            "Slice" => SliceValues(node),
            "Add" or "Sub" or "Mul" or "Div" => Arithmetic(node),
            _ => null,
        };
        return values is { Length: <= MaxTrackedValues } ? values : null;
    }

    /// <summary>The dims Shape(x) returns for a rank-<paramref name="rank"/> x (start and end attributes, opset 15).</summary>
    private static (int From, int To) ShapeSlice(Node node, int rank)
    {
        int Clamp(long v) => (int)Math.Clamp(v < 0 ? v + rank : v, 0, rank);
        int from = Clamp(node.GetInt("start", 0)), to = Clamp(node.GetInt("end", rank));
        return (from, Math.Max(from, to));
    }

    private Dimension[]? ConcatValues(Node node)
    {
        var result = new List<Dimension>();
        foreach (string input in node.Inputs.Where(i => i.Length > 0))
        {
            if (ValuesOf(input) is not { } part) return null;
            result.AddRange(part);
        }
        return [.. result];
    }

    /// <summary>Gather along axis 0 of a tracked vector with constant indices.</summary>
    private Dimension[]? GatherValues(Node node)
    {
        if (ValuesOf(node.Input(0)) is not { } data || RankOf(node.Input(0)) != 1 || node.GetInt("axis", 0) is not (0 or -1))
            return null;
        if (ValuesOf(node.Input(1)) is not { } indices || indices.Any(i => !i.IsKnown)) return null;
        var result = new Dimension[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            long index = indices[i].Value!.Value;
            if (index < 0) index += data.Count;
            if (index < 0 || index >= data.Count) return null;
            result[i] = data[(int)index];
        }
        return result;
    }

    private Dimension[]? SliceValues(Node node)
    {
        if (ValuesOf(node.Input(0)) is not { } data || RankOf(node.Input(0)) != 1) return null;
        if (SliceSpec(node, 1) is not [var (_, start, end, step)]) return null;
        long n = data.Count;
        long from = Normalize(start, n, step), to = Normalize(end, n, step);
        var result = new List<Dimension>();
        if (step > 0)
            for (long i = from; i < to; i += step) result.Add(data[(int)i]);
        else
            for (long i = from; i > to; i += step) result.Add(data[(int)i]);
        return [.. result];
    }

    /// <summary>Element-wise integer arithmetic on tracked values (a scalar broadcasts); ONNX's Div truncates.</summary>
    private Dimension[]? Arithmetic(Node node)
    {
        if (ValuesOf(node.Input(0)) is not { } a || ValuesOf(node.Input(1)) is not { } b) return null;
        if (a.Count != b.Count && a.Count != 1 && b.Count != 1) return null;
        int n = Math.Max(a.Count, b.Count);
        var result = new Dimension[n];
        for (int i = 0; i < n; i++)
        {
            var (x, y) = (a[a.Count == 1 ? 0 : i], b[b.Count == 1 ? 0 : i]);
            result[i] = x.Value is long p && y.Value is long q
                ? node.OpType switch
                {
                    "Add" => Known(p + q),
                    "Sub" => Known(p - q),
                    "Mul" => Known(p * q),
                    _ => q == 0 ? Unknown : Known(p / q),
                }
                : node.OpType == "Mul" && (x.Value == 1 || y.Value == 1) ? (x.Value == 1 ? y : x) : Unknown;
        }
        return result;
    }

    /// <summary>
    /// The (axis, start, end, step) of each sliced axis of a rank-<paramref name="rank"/> input, from the attributes
    /// (opset ≤ 9) or the constant inputs; null when any of them is not known.
    /// </summary>
    private List<(int Axis, long Start, long End, long Step)>? SliceSpec(Node node, int rank)
    {
        long[]? starts = node.GetInts("starts") ?? KnownValues(node.Input(1));
        long[]? ends = node.GetInts("ends") ?? KnownValues(node.Input(2));
        if (starts is null || ends is null || starts.Length != ends.Length) return null;
        long[]? axes = node.HasAttribute("starts") ? node.GetInts("axes") : node.Input(3).Length > 0 ? KnownValues(node.Input(3)) : null;
        if (axes is null && (node.HasAttribute("axes") || node.Input(3).Length > 0)) return null;
        long[]? steps = node.Input(4).Length > 0 ? KnownValues(node.Input(4)) : null;
        if (steps is null && node.Input(4).Length > 0) return null;
        axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
        if (axes.Length != starts.Length || steps.Length != starts.Length || steps.Any(s => s == 0)) return null;
        var result = new List<(int, long, long, long)>();
        for (int i = 0; i < starts.Length; i++)
        {
            long axis = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (axis < 0 || axis >= rank) return null;
            result.Add(((int)axis, starts[i], ends[i], steps[i]));
        }
        return result;
    }

    private long[]? KnownValues(string value) =>
        value.Length > 0 && ValuesOf(value) is { } v && v.All(d => d.IsKnown) ? v.Select(d => d.Value!.Value).ToArray() : null;

    /// <summary>Slice's clamping of a start or end index into [0, n] (or [−1, n−1] for a negative step).</summary>
    private static long Normalize(long index, long n, long step)
    {
        if (index < 0) index += n;
        return step > 0 ? Math.Clamp(index, 0, n) : Math.Clamp(index, -1, n - 1);
    }

    private static long SliceLength(long size, long start, long end, long step)
    {
        long from = Normalize(start, size, step), to = Normalize(end, size, step);
        long span = step > 0 ? to - from : from - to;
        long magnitude = Math.Abs(step);
        return span <= 0 ? 0 : (span + magnitude - 1) / magnitude;
    }
}
