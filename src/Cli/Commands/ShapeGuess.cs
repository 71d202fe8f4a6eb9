using OnnxBn.Folding;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// Output shapes for <c>inspect</c>, propagated from the declared graph inputs through the ops a BN model is made
/// of (Conv, pools, Flatten, Gemm, MatMul, element-wise ops). Display only: an op it does not know, or a
/// dimension it cannot tell, stays unknown ("?") rather than guessed.
/// </summary>
internal sealed class ShapeGuess
{
    private static readonly HashSet<string> SameShapeOps =
    [
        "Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Clip", "Identity", "Dropout",
        "BatchNormalization", "Neg", "Abs", "Exp", "Log", "Sqrt", "HardSigmoid", "HardSwish", "Softplus", "Gelu",
        "Mish", "Erf", "PRelu", "LRN", "InstanceNormalization", "LayerNormalization", "Cast",
    ];

    private readonly Graph _graph;
    private readonly Dictionary<string, Dimension[]> _shapes = new(StringComparer.Ordinal);

    public ShapeGuess(Graph graph)
    {
        _graph = graph;
        foreach (var v in graph.Inputs.Concat(graph.ValueInfos).Concat(graph.Outputs))
            if (v.Shape is { } s) _shapes.TryAdd(v.Name, s.ToArray());
        foreach (var node in graph.TopologicalOrder())
            if (node.Output(0).Length > 0 && !_shapes.ContainsKey(node.Output(0)) && Infer(node) is { } shape)
                _shapes[node.Output(0)] = shape;
    }

    /// <summary>The shape of <paramref name="value"/>, or null when even its rank is unknown.</summary>
    public IReadOnlyList<Dimension>? ShapeOf(string value)
    {
        if (_shapes.TryGetValue(value, out var shape)) return shape;
        return _graph.TryGetConstant(value, out var constant) ? constant.Dims.Select(Known).ToArray() : null;
    }

    private Dimension[]? Infer(Node node)
    {
        if (node.Domain is not ("" or "ai.onnx")) return null;
        var x = ShapeOf(node.Input(0))?.ToArray();
        if (x is null) return null;
        return node.OpType switch
        {
            _ when SameShapeOps.Contains(node.OpType) => x,
            "Add" or "Sub" or "Mul" or "Div" when ShapeOf(node.Input(1)) is { } y && y.Count <= x.Length => x,
            "Conv" when _graph.TryGetConstant(node.Input(1), out var w) => Spatial(node, x, Known(w.Dims[0]), w.Dims.Skip(2).ToArray()),
            "MaxPool" or "AveragePool" when node.GetInts("kernel_shape") is { } k => Spatial(node, x, x[1], k),
            "GlobalAveragePool" or "GlobalMaxPool" => [x[0], x[1], .. Enumerable.Repeat(Known(1), x.Length - 2)],
            "Flatten" => Flatten(x, (int)node.GetInt("axis", 1)),
            "Gemm" when ShapeOf(node.Input(1)) is { Count: 2 } b =>
                [node.GetInt("transA", 0) == 0 ? x[0] : x[1], node.GetInt("transB", 0) == 0 ? b[1] : b[0]],
            "MatMul" when x.Length >= 2 && ShapeOf(node.Input(1)) is { Count: 2 } b => [.. x[..^1], b[1]],
            _ => null,
        };
    }

    /// <summary>[N, C, out...] with out = floor((in + pads − dilation·(k−1) − 1) / stride) + 1 per spatial axis.</summary>
    private static Dimension[]? Spatial(Node node, Dimension[] x, Dimension channels, long[] kernel)
    {
        int axes = kernel.Length;
        if (x.Length != axes + 2) return null;
        if (node.GetString("auto_pad", "NOTSET") is not ("NOTSET" or "VALID")) return [x[0], channels, .. Enumerable.Repeat(Unknown, axes)];
        var strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, axes).ToArray();
        var dilations = node.GetInts("dilations") ?? Enumerable.Repeat(1L, axes).ToArray();
        var pads = node.GetInts("pads") ?? new long[2 * axes];
        var result = new Dimension[x.Length];
        result[0] = x[0];
        result[1] = channels;
        for (int i = 0; i < axes; i++)
            result[i + 2] = x[i + 2].Value is long size
                ? Known((size + pads[i] + pads[i + axes] - dilations[i] * (kernel[i] - 1) - 1) / strides[i] + 1)
                : Unknown;
        return result;
    }

    private static Dimension[] Flatten(Dimension[] x, int axis)
    {
        if (axis < 0) axis += x.Length;
        return [Product(x[..axis]), Product(x[axis..])];
    }

    private static Dimension Product(Dimension[] dims)
    {
        if (dims.Length == 1) return dims[0];
        return dims.All(d => d.IsKnown) ? Known(dims.Aggregate(1L, (p, d) => p * d.Value!.Value)) : Unknown;
    }

    private static Dimension Known(long value) => new(value, null);

    private static readonly Dimension Unknown = new(null, null);
}
