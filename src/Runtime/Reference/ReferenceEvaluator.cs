using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

/// <summary>
/// A naive float64 interpreter of ONNX graphs, independent of ONNX Runtime: the oracle for folding tests and the
/// exact side of <c>onnxbn verify --reference float64</c>. Every op is written from the ONNX operator spec in the
/// plainest loops possible; speed is not a goal. It covers the ops of the bundled example models and of common
/// exported CNNs and MLPs: Conv, ConvTranspose, Gemm, MatMul, BatchNormalization, elementwise arithmetic,
/// Relu, LeakyRelu, PRelu, Elu, Selu, Sigmoid, HardSigmoid, HardSwish, Tanh, Clip, Softmax, pools, If/Loop/Scan, and the data-movement
/// ops (Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat, Shape, Gather, 1-D Slice, Cast, Identity, Dropout, Constant,
/// Pad, Split), Resize (nearest and linear) and TopK.
/// </summary>
/// <remarks>An op it does not know raises <see cref="NotSupportedException"/> naming the node and op.</remarks>
public sealed partial class ReferenceEvaluator
{
    private readonly OnnxModel _model;
    private readonly Graph _graph;
    private readonly long _opset;

    /// <summary>Values visible in <see cref="_graph"/>: its own, and for a sub-graph those of the enclosing graphs.</summary>
    private readonly Dictionary<string, RefTensor> _values;

    private ReferenceEvaluator(OnnxModel model, Graph graph, IReadOnlyDictionary<string, RefTensor> outer)
    {
        _graph = graph;
        _opset = model.OpsetVersion("");
        _values = new Dictionary<string, RefTensor>(outer, StringComparer.Ordinal);
        _model = model;
    }

    /// <summary>Evaluates <paramref name="model"/> on <paramref name="inputs"/> and returns every graph output by name.</summary>
    /// <exception cref="NotSupportedException">The graph holds an op the evaluator does not implement.</exception>
    /// <exception cref="ArgumentException">A graph input is missing, or a tensor does not fit its op.</exception>
    public static IReadOnlyDictionary<string, RefTensor> Evaluate(OnnxModel model, IReadOnlyDictionary<string, RefTensor> inputs)
    {
        var evaluator = ForMainGraph(model, inputs);
        var values = evaluator.Run(inputs);
        return evaluator._graph.Outputs.ToDictionary(o => o.Name, o => values.TryGetValue(o.Name, out var v) ? v
            : throw new InvalidOperationException($"Reference evaluator: graph output '{o.Name}' was never computed."));
    }

    /// <summary>
    /// Evaluates <paramref name="model"/> and returns every value it computes (node outputs, and the inputs and
    /// initializers they read), by name: the exact counterpart of every intermediate tensor.
    /// </summary>
    /// <exception cref="NotSupportedException">The graph holds an op the evaluator does not implement.</exception>
    /// <exception cref="ArgumentException">A graph input is missing, or a tensor does not fit its op.</exception>
    public static IReadOnlyDictionary<string, RefTensor> EvaluateAll(OnnxModel model, IReadOnlyDictionary<string, RefTensor> inputs) =>
        ForMainGraph(model, inputs).Run(inputs);

    private static ReferenceEvaluator ForMainGraph(OnnxModel model, IReadOnlyDictionary<string, RefTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in model.Graph.RuntimeInputs)
            if (!inputs.ContainsKey(input.Name))
                throw new ArgumentException($"Reference evaluator: graph input '{input.Name}' was not given.");
        return new ReferenceEvaluator(model, model.Graph, new Dictionary<string, RefTensor>());
    }

    /// <summary>Evaluates a model with one runtime input and one output.</summary>
    public static RefTensor EvaluateSingle(OnnxModel model, RefTensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        var inputName = model.Graph.RuntimeInputs.Single().Name;
        var outputs = Evaluate(model, new Dictionary<string, RefTensor> { [inputName] = input });
        return outputs[model.Graph.Outputs.Single().Name];
    }

    /// <summary>
    /// Runs the graph with <paramref name="bindings"/> for its inputs (a sub-graph's too: a Loop body's iteration
    /// number, condition and carried values); its initializers shadow outer values of the same name.
    /// </summary>
    private Dictionary<string, RefTensor> Run(IReadOnlyDictionary<string, RefTensor> bindings)
    {
        var values = _values;
        foreach (var init in _graph.Initializers)
            values[init.Name] = RefTensor.FromTensorData(init);
        foreach (var (name, given) in bindings)
            values[name] = given;

        foreach (var node in _graph.TopologicalOrder())
        {
            var args = node.Inputs.Select(i => i.Length == 0 ? null : values.TryGetValue(i, out var v) ? v
                : throw new InvalidOperationException($"Reference evaluator: value '{i}' of node '{node.DisplayName}' is undefined.")).ToArray();
            var results = Execute(node, args);
            for (int i = 0; i < results.Length && i < node.Outputs.Count; i++)
                if (node.Output(i).Length > 0)
                    values[node.Output(i)] = results[i];
        }
        return values;
    }

    private RefTensor[] Execute(Node node, RefTensor?[] x)
    {
        if (node.Domain is not ("" or "ai.onnx"))
            throw Unsupported(node);
        return node.OpType switch
        {
            "Conv" => [Conv(node, x[0]!, x[1]!, Arg(x, 2))],
            "ConvTranspose" => [ConvTranspose(node, x[0]!, x[1]!, Arg(x, 2))],
            "Gemm" => [Gemm(node, x[0]!, x[1]!, Arg(x, 2))],
            "MatMul" => [MatMul(x[0]!, x[1]!)],
            "Add" => [Binary(x[0]!, x[1]!, (a, b) => a + b)],
            "Sub" => [Binary(x[0]!, x[1]!, (a, b) => a - b)],
            "Mul" => [Binary(x[0]!, x[1]!, (a, b) => a * b)],
            "Div" => [Binary(x[0]!, x[1]!, (a, b) => a / b)],
            "Pow" => [Binary(x[0]!, x[1]!, Math.Pow)],
            "BatchNormalization" => [BatchNorm(node, x[0]!, x[1]!, x[2]!, x[3]!, x[4]!)],
            "Relu" => [Map(x[0]!, v => Math.Max(v, 0))],
            "LeakyRelu" => [LeakyRelu(node, x[0]!)],
            // PRelu's slope broadcasts to X (unidirectionally): y = x for x ≥ 0, slope·x below.
            "PRelu" => [Binary(x[0]!, x[1]!, (v, slope) => v < 0 ? slope * v : v)],
            "Elu" => [Elu(node, x[0]!)],
            "Selu" => [Selu(node, x[0]!)],
            "Sigmoid" => [Map(x[0]!, v => 1 / (1 + Math.Exp(-v)))],
            "HardSigmoid" => [HardSigmoid(node, x[0]!)],
            "HardSwish" => [Map(x[0]!, v => v * Math.Clamp(v / 6 + 0.5, 0, 1))],
            "Tanh" => [Map(x[0]!, Math.Tanh)],
            "Sqrt" => [Map(x[0]!, Math.Sqrt)],
            "Exp" => [Map(x[0]!, Math.Exp)],
            "Neg" => [Map(x[0]!, v => -v)],
            "Reciprocal" => [Map(x[0]!, v => 1 / v)],
            "Clip" => [Clip(node, x[0]!, Arg(x, 1), Arg(x, 2))],
            "Softmax" => [Softmax(node, x[0]!)],
            "Flatten" => [Flatten(node, x[0]!)],
            "Reshape" => [Reshape(node, x[0]!, x[1]!)],
            "Transpose" => [Transpose(x[0]!, node.GetInts("perm"))],
            "Squeeze" => [Squeeze(node, x[0]!, Arg(x, 1))],
            "Unsqueeze" => [Unsqueeze(node, x[0]!, Arg(x, 1))],
            "Concat" => [Concat(node, x)],
            "Shape" => [Shape(node, x[0]!)],
            "Gather" => [Gather(node, x[0]!, x[1]!)],
            "Slice" => [Slice(node, x[0]!, x[1]!, x[2]!, Arg(x, 3), Arg(x, 4))],
            "Cast" => [Cast(node, x[0]!)],
            "Pad" => [Pad(node, x[0]!, Arg(x, 1), Arg(x, 2), Arg(x, 3))],
            "Split" => Split(node, x[0]!, Arg(x, 1)),
            "Resize" => [Resize(node, x[0]!, Arg(x, 2), Arg(x, 3))],
            "TopK" => TopK(node, x[0]!, Arg(x, 1)),
            "Identity" or "Dropout" => [x[0]!],
            "Constant" => [Constant(node)],
            "MaxPool" => [Pool(node, x[0]!, max: true)],
            "AveragePool" => [Pool(node, x[0]!, max: false)],
            "GlobalAveragePool" => [GlobalPool(x[0]!, max: false)],
            "GlobalMaxPool" => [GlobalPool(x[0]!, max: true)],
            "ReduceSum" or "ReduceL1" or "ReduceL2" or "ReduceSumSquare" or "ReduceMean" or "ReduceMax" or "ReduceMin" => [Reduce(node, x[0]!, Arg(x, 1))],
            "Greater" => [Binary(x[0]!, x[1]!, (a, b) => a > b ? 1 : 0)],
            "Less" => [Binary(x[0]!, x[1]!, (a, b) => a < b ? 1 : 0)],
            "If" => If(node, x[0]!),
            "Loop" => Loop(node, x),
            "Scan" => Scan(node, x),
            _ => throw Unsupported(node),
        };
    }

    private static RefTensor? Arg(RefTensor?[] x, int index) => index < x.Length ? x[index] : null;

    private RefTensor Constant(Node node) =>
        _graph.TryGetConstant(node.Output(0), out var tensor)
            ? RefTensor.FromTensorData(tensor)
            : throw new NotSupportedException($"Reference evaluator: Constant node '{node.DisplayName}' has no tensor value.");

    private static NotSupportedException Unsupported(Node node) =>
        new($"Reference evaluator: op '{(node.Domain.Length > 0 ? node.Domain + "." : "")}{node.OpType}' (node '{node.DisplayName}') is not implemented.");

    /// <summary>Normalizes a possibly negative axis against <paramref name="rank"/>.</summary>
    private static int Axis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    /// <summary>An ints attribute, or <paramref name="count"/> copies of <paramref name="fill"/> when it is absent.</summary>
    private static long[] IntsOr(Node node, string name, int count, long fill) =>
        node.GetInts(name) is { Length: > 0 } v ? v : Enumerable.Repeat(fill, count).ToArray();
}
