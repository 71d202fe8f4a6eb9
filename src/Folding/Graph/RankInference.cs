namespace OnnxBn.Folding;

/// <summary>
/// Static ranks of graph values, from declarations and from the ops that keep or fix the rank. Unknown ranks stay
/// null: rules that need a rank decline rather than guess.
/// </summary>
public sealed class RankInference
{
    private static readonly HashSet<string> RankPreservingOps =
    [
        "Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Clip", "Identity", "Dropout",
        "BatchNormalization", "Cast", "Neg", "Abs", "Exp", "Log", "Sqrt", "HardSigmoid", "HardSwish", "Softplus",
        "Softsign", "Gelu", "PRelu", "LRN", "InstanceNormalization", "LayerNormalization", "Conv", "ConvTranspose",
        "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "Pad", "Resize", "Upsample",
        "Transpose", "Concat", "Mish", "Erf", "Floor", "Ceil", "Round", "Reciprocal", "Sin", "Cos", "ThresholdedRelu",
    ];

    private static readonly HashSet<string> BroadcastOps = ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Where"];

    private readonly Dictionary<string, int?> _ranks = new(StringComparer.Ordinal);
    private readonly Graph _graph;

    public RankInference(Graph graph)
    {
        _graph = graph;
        foreach (var v in graph.Inputs.Concat(graph.ValueInfos).Concat(graph.Outputs))
            if (v.Rank is int r) _ranks[v.Name] = r;
        foreach (var t in graph.Initializers)
            _ranks[t.Name] = t.Rank;
        foreach (var node in graph.TopologicalOrder())
        {
            int? rank = Infer(node);
            if (rank is not null && node.Output(0).Length > 0)
                _ranks.TryAdd(node.Output(0), rank);
        }
    }

    /// <summary>The rank of <paramref name="value"/>, or null when it cannot be told statically.</summary>
    public int? RankOf(string value) => _ranks.GetValueOrDefault(value);

    private int? Infer(Node node)
    {
        if (node.Domain is not ("" or "ai.onnx")) return null;
        string op = node.OpType;
        if (RankPreservingOps.Contains(op)) return RankOf(node.Input(0));
        if (BroadcastOps.Contains(op))
        {
            var ranks = node.Inputs.Where(i => i.Length > 0).Select(RankOf).ToList();
            return ranks.Any(r => r is null) || ranks.Count == 0 ? null : ranks.Max();
        }
        return op switch
        {
            "Gemm" or "Flatten" => 2,
            "MatMul" => MatMulRank(RankOf(node.Input(0)), RankOf(node.Input(1))),
            "Constant" => _graph.TryGetConstant(node.Output(0), out var c) ? c.Rank : null,
            "Reshape" => _graph.TryGetConstant(node.Input(1), out var shape) ? (int)shape.ElementCount : null,
            "Squeeze" => AxesCount(node) is int n && RankOf(node.Input(0)) is int r ? r - n : null,
            "Unsqueeze" => AxesCount(node) is int m && RankOf(node.Input(0)) is int q ? q + m : null,
            _ when op.StartsWith("Reduce", StringComparison.Ordinal) && node.GetInt("keepdims", 1) == 1 => RankOf(node.Input(0)),
            _ => null,
        };
    }

    private int? AxesCount(Node node)
    {
        if (node.GetInts("axes") is { } axes) return axes.Length;
        return _graph.TryGetConstant(node.Input(1), out var t) ? (int)t.ElementCount : null;
    }

    private static int? MatMulRank(int? a, int? b) => (a, b) switch
    {
        (1, 1) => 0,
        (1, int rb) => rb - 1,
        (int ra, 1) => ra - 1,
        (int ra, int rb) => Math.Max(ra, rb),
        _ => null,
    };
}
