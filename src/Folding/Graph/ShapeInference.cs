namespace OnnxBn.Folding;

/// <summary>
/// Static shapes of graph values, and the contents of the small integer tensors that compute shapes at run time, in
/// one pass over the graph in topological order. A shape is known from a declaration (graph input, output,
/// value_info), a constant's dims, or the op that computes it: the ops of <see cref="OpTraits"/> (same-shape,
/// broadcasting, pooling) plus Shape, Size, Gather, Slice, Concat, Unsqueeze, Squeeze, Reshape (constant or
/// computed target), Flatten, Transpose, Expand, Pad, Conv, ConvTranspose, Gemm, MatMul and the Reduce ops.
///
/// Integer contents are tracked as dimensions: Shape(x) of an x:[N, 1, 28, 28] is the vector [N, 1, 28, 28] with
/// N symbolic, so Keras' <c>x.reshape(x.shape[0], 784)</c> (Shape→Gather→Unsqueeze→Concat→Reshape) gives [N, 784].
/// A declared dim wins over an inferred one; an unknown declared dim ("?") is filled in from the inference. What
/// cannot be told stays unknown — a rank (null shape) or a dim (no value) — and rules that need it decline.
/// </summary>
public sealed partial class ShapeInference
{
    /// <summary>Integer tensors longer than this are not tracked: shape vectors are short.</summary>
    private const int MaxTrackedValues = 64;

    private readonly Graph _graph;
    private readonly Dictionary<string, Dimension[]> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dimension[]> _values = new(StringComparer.Ordinal);

    /// <summary>
    /// Infers every value's shape in <paramref name="graph"/> now, in one pass; the result is a snapshot that later
    /// edits of the graph do not update.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="graph"/> is null.</exception>
    /// <exception cref="OnnxModelException">The graph has a cycle.</exception>
    public ShapeInference(Graph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _graph = graph;
        foreach (var t in graph.Initializers)
            _shapes[t.Name] = t.Dims.Select(Known).ToArray();
        foreach (var v in graph.Inputs.Concat(graph.ValueInfos).Concat(graph.Outputs))
            if (v.IsTensor && v.Shape is { } declared)
                _shapes[v.Name] = _shapes.TryGetValue(v.Name, out var known) ? Merge(declared, known) : declared.ToArray();
        foreach (var t in graph.Initializers)
            if (graph.TryGetConstant(t.Name, out var constant)) TrackConstant(t.Name, constant);
        foreach (var node in graph.TopologicalOrder())
            Visit(node);
    }

    /// <summary>The shape of <paramref name="value"/>, or null when even its rank is unknown.</summary>
    public IReadOnlyList<Dimension>? ShapeOf(string value) => _shapes.GetValueOrDefault(value);

    /// <summary>The rank of <paramref name="value"/>, or null when it cannot be told statically.</summary>
    public int? RankOf(string value) => _shapes.TryGetValue(value, out var s) ? s.Length : null;

    /// <summary>The static size of <paramref name="value"/> along <paramref name="axis"/> (negative counts from the end), if known.</summary>
    public long? DimOf(string value, int axis)
    {
        if (!_shapes.TryGetValue(value, out var s)) return null;
        if (axis < 0) axis += s.Length;
        return axis >= 0 && axis < s.Length ? s[axis].Value : null;
    }

    /// <summary>
    /// The entries of a 0-D or 1-D integer value (a shape vector or a scalar taken from one), each known, symbolic or
    /// unknown; null when the value is not such a tensor or its length is unknown.
    /// </summary>
    public IReadOnlyList<Dimension>? ValuesOf(string value) => _values.GetValueOrDefault(value);

    /// <summary>The product of <paramref name="value"/>'s dims after the first, when all of them are known.</summary>
    public long? PerSampleSize(string value)
    {
        if (!_shapes.TryGetValue(value, out var s) || s.Length == 0 || s.Skip(1).Any(d => !d.IsKnown)) return null;
        return s.Skip(1).Aggregate(1L, (p, d) => p * d.Value!.Value);
    }

    private void Visit(Node node)
    {
        if (node.Domain is not ("" or "ai.onnx") || node.Outputs.Count == 0 || node.Output(0).Length == 0) return;
        string output = node.Output(0);
        Dimension[]? shape;
        try
        {
            if (node.Is("Constant") && _graph.TryGetConstant(output, out var constant))
            {
                shape = constant.Dims.Select(Known).ToArray();
                TrackConstant(output, constant);
            }
            else
            {
                shape = Infer(node);
                if (InferValues(node) is { } values) _values.TryAdd(output, values);
            }
        }
        catch (Exception e) when (e is OverflowException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            // A malformed node (an axis out of range, dims that overflow) gets no shape; validating is not this class's job.
            return;
        }
        if (shape is null) return;
        _shapes[output] = _shapes.TryGetValue(output, out var declared) ? Merge(declared, shape) : shape;
    }

    private void TrackConstant(string name, TensorData constant)
    {
        if (constant.Rank > 1 || constant.ElementCount > MaxTrackedValues) return;
        long[]? values = constant.ElementType switch
        {
            OnnxDataType.Int64 => constant.ToArray<long>(),
            OnnxDataType.Int32 => [.. constant.ToArray<int>().Select(v => (long)v)],
            _ => null,
        };
        if (values is not null) _values[name] = values.Select(Known).ToArray();
    }

    /// <summary>The declared dims, with unknown ones filled from the inferred shape (a declared rank wins).</summary>
    private static Dimension[] Merge(IReadOnlyList<Dimension> declared, IReadOnlyList<Dimension> inferred)
    {
        var result = declared.ToArray();
        if (inferred.Count != result.Length) return result;
        for (int i = 0; i < result.Length; i++)
            if (!result[i].IsKnown && (inferred[i].IsKnown || result[i].Symbol is null))
                result[i] = inferred[i];
        return result;
    }

    private static Dimension Known(long value) => new(value, null);

    private static readonly Dimension Unknown = new(null, null);
}
