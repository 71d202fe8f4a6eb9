using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding.Surgery;

/// <summary>
/// Cuts a model at a tensor: that tensor becomes the only graph output and everything that no longer feeds it
/// (nodes, initializers, value_info, unused graph inputs) is pruned; opset imports, IR version and metadata are kept.
/// This is Keras' <c>model.layers[:-1]</c> for an ONNX graph.
/// <code>
///   x → … → h → Gemm(W, b) → Softmax → y        cut at h:   x → … → h
/// </code>
/// </summary>
public static class GraphCut
{
    private static readonly HashSet<string> OutputActivations = new(StringComparer.Ordinal)
    {
        "Softmax", "LogSoftmax", "Sigmoid", "Identity",
    };

    /// <summary>
    /// The tensor <c>--cut auto</c> picks: the input of the last linear layer (Gemm, or MatMul with an optional bias
    /// Add) behind the model's single output, skipping a final Softmax/LogSoftmax/Sigmoid.
    /// </summary>
    /// <exception cref="UnsupportedModelException">The model has several outputs or does not end in a linear layer.</exception>
    public static string OutputLayerInput(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        if (graph.Outputs.Count != 1)
            throw new UnsupportedModelException(model.SourcePath,
                $"the model has {graph.Outputs.Count} outputs; name the tensor to cut at");
        var value = graph.Outputs[0].Name;
        var node = graph.Producer(value);
        while (node is not null && node.Domain is "" or "ai.onnx" && OutputActivations.Contains(node.OpType))
        {
            value = node.Input(0);
            node = graph.Producer(value);
        }
        if (node is not null && node.Is("Add") && BiasedMatMul(graph, node) is { } matMul)
            node = matMul;
        if (node is not null && (node.Is("Gemm") || (node.Is("MatMul") && graph.TryGetConstant(node.Input(1), out _))))
            return node.Input(0);
        throw new UnsupportedModelException(model.SourcePath,
            $"cannot find the output layer: '{value}' is produced by {node?.OpType ?? "no node"}, not Gemm or MatMul(+Add); name the tensor to cut at",
            node?.DisplayName);
    }

    /// <summary>
    /// A copy of <paramref name="model"/> whose only output is <paramref name="tensor"/>, pruned of everything that
    /// does not feed it. The output keeps the type and shape the model declares for the tensor (value_info, input or
    /// output); otherwise it gets the element type of the first graph input and no shape.
    /// </summary>
    /// <exception cref="OnnxModelException">No node or graph input defines <paramref name="tensor"/>.</exception>
    public static OnnxModel Cut(OnnxModel model, string tensor)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(tensor);
        var graph = model.Graph;
        if (graph.Producer(tensor) is null && !graph.IsGraphInput(tensor))
            throw new OnnxModelException(model.SourcePath,
                "no node or graph input produces this tensor, so the model cannot be cut there", $"tensor '{tensor}'");

        var copy = model.Clone();
        var g = copy.Graph;
        var needed = Ancestors(g, tensor);
        foreach (var node in g.Nodes.Where(n => !needed.Contains(n)).ToList())
            g.RemoveNode(node);

        var output = DescribeOutput(g, tensor);
        g.Proto.Output.Clear();
        g.Proto.Output.Add(output);
        g.RemoveValueInfo(tensor);
        var used = new HashSet<string>(g.Nodes.SelectMany(n => n.Inputs.Concat(n.ImplicitInputs)), StringComparer.Ordinal) { tensor };
        foreach (var input in g.Proto.Input.Where(i => !used.Contains(i.Name)).ToList())
            g.Proto.Input.Remove(input);
        return Rebuild(copy);
    }

    /// <summary>
    /// Re-reads an edited copy so that the graph's indexes (inputs, outputs, producers) match its message again after
    /// edits made directly to graph inputs and outputs; unused initializers and value_info are dropped on the way.
    /// </summary>
    internal static OnnxModel Rebuild(OnnxModel edited)
    {
        var rebuilt = OnnxModel.FromBytes(edited.ToBytes());
        var graph = rebuilt.Graph;
        graph.RemoveDeadInitializers();
        graph.RemoveStaleValueInfo();
        graph.CheckInvariants();
        return OnnxModel.FromBytes(rebuilt.ToBytes());
    }

    /// <summary>The MatMul behind a bias Add (MatMul output plus a constant), or null.</summary>
    internal static Node? BiasedMatMul(Graph graph, Node add)
    {
        for (var i = 0; i < 2; i++)
            if (graph.Producer(add.Input(i)) is { } producer && producer.Is("MatMul") && graph.TryGetConstant(add.Input(1 - i), out _))
                return producer;
        return null;
    }

    private static HashSet<Node> Ancestors(Graph graph, string tensor)
    {
        var needed = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<string>();
        pending.Push(tensor);
        while (pending.TryPop(out var value))
        {
            if (graph.Producer(value) is not { } node || !needed.Add(node))
                continue;
            foreach (var input in node.Inputs.Concat(node.ImplicitInputs).Where(i => i.Length > 0))
                pending.Push(input);
        }
        return needed;
    }

    private static ValueInfoProto DescribeOutput(Graph graph, string tensor)
    {
        if (graph.FindValueInfo(tensor) is { } declared)
            return declared.Proto.Clone();
        var elementType = graph.RuntimeInputs.Count > 0 ? (int)graph.RuntimeInputs[0].ElementType : (int)TensorElementType.Float;
        return new ValueInfoProto
        {
            Name = tensor,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType } },
        };
    }
}
