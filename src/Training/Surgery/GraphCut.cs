using OnnxBn.Folding;
namespace OnnxBn.Training.Surgery;

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
        while (node is not null && (node.Has(OpTrait.ClassScores) || node.Has(OpTrait.ElementMoving | OpTrait.SameShape)))
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
    /// The tensor a head that starts with its own global average pooling cuts at: the input of model A's
    /// GlobalAveragePool (or ReduceMean) in front of its output layer, behind any Flatten/Reshape/Squeeze — Keras'
    /// <c>include_top=False</c> base.
    /// </summary>
    /// <exception cref="UnsupportedModelException">No global pooling feeds the output layer.</exception>
    public static string PoolingInput(OnnxModel model)
    {
        var value = OutputLayerInput(model);
        var graph = model.Graph;
        var node = graph.Producer(value);
        while (node is not null && node.Has(OpTrait.Reshaping))
            node = graph.Producer(node.Input(0));
        // ReduceMean has no trait: whether it pools depends on its axes, and exporters write it only as a global mean here.
        if (node is not null && (node.Has(OpTrait.GlobalPooling | OpTrait.ChannelLinear) || node.Is("ReduceMean")))
            return node.Input(0);
        throw new UnsupportedModelException(model.SourcePath,
            $"the head starts with gap, but no global pooling feeds the output layer ('{value}' is produced by {node?.OpType ?? "no node"}); name the tensor to cut at",
            node?.DisplayName);
    }

    /// <summary>
    /// A copy of <paramref name="model"/> whose only output is <paramref name="tensor"/>, pruned of everything that
    /// does not feed it. The output keeps the type and shape the model declares for the tensor (value_info, input or
    /// output); otherwise it gets the element type of the first graph input and no shape. The copy keeps the source
    /// path (so saving it over model A is refused) and where each kept weight sits in external data.
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
        g.SetOutput(DescribeOutput(g, tensor));
        g.PruneUnreachable();
        g.RemoveUnusedInputs();
        g.CheckInvariants();
        return copy;
    }

    /// <summary>The MatMul behind a bias Add (MatMul output plus a constant), or null.</summary>
    internal static Node? BiasedMatMul(Graph graph, Node add)
    {
        for (var i = 0; i < 2; i++)
            if (graph.Producer(add.Input(i)) is { } producer && producer.Is("MatMul") && graph.TryGetConstant(add.Input(1 - i), out _))
                return producer;
        return null;
    }

    private static ValueInfo DescribeOutput(Graph graph, string tensor)
    {
        if (graph.FindValueInfo(tensor) is { } declared)
            return declared;
        var elementType = graph.RuntimeInputs.Count > 0 ? graph.RuntimeInputs[0].ElementType : OnnxDataType.Float;
        return ValueInfo.Tensor(tensor, elementType);
    }
}
