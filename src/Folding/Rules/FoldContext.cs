namespace OnnxBn.Folding.Rules;

/// <summary>
/// What a rule sees while it matches and applies: the graph, static shapes, the opset, and the few edits every
/// fold is made of (add a weight under a fresh name, remove an affine op keeping its output name, bypass it).
/// </summary>
internal sealed class FoldContext
{
    public FoldContext(OnnxModel model, FoldOptions? options = null)
        : this(model, model.Graph, options, outerShapes: null)
    {
    }

    /// <summary>
    /// The context of one scope of <paramref name="model"/>: its main graph, or a sub-graph, whose reads of outer
    /// values take their shapes from <paramref name="outerShapes"/> (the enclosing graph's).
    /// </summary>
    public FoldContext(OnnxModel model, Graph graph, FoldOptions? options, ShapeInference? outerShapes)
    {
        Model = model;
        Options = options ?? new FoldOptions();
        Graph = graph;
        Opset = model.OpsetVersion();
        Shapes = new ShapeInference(Graph, outerShapes);
        _constants = new ConstantChain(Graph);
    }

    private readonly ConstantChain _constants;

    public OnnxModel Model { get; }

    /// <summary>What the pass was asked to do (directions, lowering), for rules whose choice depends on it.</summary>
    public FoldOptions Options { get; }

    /// <summary>The graph being folded: the main graph or a sub-graph. Rules edit this graph only.</summary>
    public Graph Graph { get; }

    /// <summary>The version of the default ONNX operator set the model imports.</summary>
    public long Opset { get; }

    /// <summary>Static shapes and ranks as the round began (values a rewrite created get theirs next round).</summary>
    public ShapeInference Shapes { get; }

    public string? File => Graph.File;

    /// <summary>
    /// The constant value of <paramref name="value"/>: an initializer that is not a graph input, a Constant node's
    /// value, or either behind Cast/Identity/Reshape/Unsqueeze/Squeeze/Flatten (<see cref="ConstantChain"/>), in the
    /// type and shape the reader sees. A fold that stops reading such a chain removes it (<see cref="PruneConstantChain"/>).
    /// </summary>
    public bool TryConstant(string value, out TensorData tensor) => _constants.TryGet(value, out tensor);

    /// <summary>
    /// Removes what computed <paramref name="value"/> once nothing reads it: an initializer, or a constant chain (and,
    /// in turn, the constants that fed it). Graph inputs and outputs stay.
    /// </summary>
    public void PruneConstantChain(string value)
    {
        if (value.Length == 0 || Graph.Consumers(value).Count > 0 || Graph.IsGraphOutput(value) || Graph.IsGraphInput(value))
            return;
        if (Graph.Initializer(value) is not null)
        {
            Graph.RemoveInitializer(value);
            return;
        }
        // Constant nodes stay: the pass removes the ones a fold left unread at its end.
        if (Graph.Producer(value) is not { } node || !ConstantChain.IsChainOp(node)
            || node.PresentOutputCount != 1 || !TryConstant(value, out _))
            return;
        var inputs = node.Inputs.Where(i => i.Length > 0).Distinct().ToList();
        Graph.RemoveNode(node);
        Graph.RemoveValueInfo(value);
        foreach (string input in inputs)
            PruneConstantChain(input);
    }

    /// <summary>
    /// "<paramref name="what"/> is not a constant", and, when <paramref name="value"/> is an initializer that is also
    /// a graph input (a default the caller may override: every IR 3 model) of this graph or of an enclosing one, how
    /// to fold it anyway.
    /// </summary>
    public string NotConstant(string what, string value) =>
        Graph.Owner(value) is { } owner && owner.IsGraphInput(value) && owner.Initializer(value) is not null
            ? $"{what} is not a constant: '{value}' is a graph input whose initializer is only a default (freeze initializer inputs to fold it)"
            : $"{what} is not a constant";

    /// <summary>
    /// Adds <paramref name="tensor"/> as a new initializer named after <paramref name="stem"/> and returns its name.
    /// Weights are never edited in place: another node may share the old one. A replacement keeps the external
    /// placement of the tensor it replaces.
    /// </summary>
    public string AddWeight(string stem, TensorData tensor, TensorData? replaces = null)
    {
        string name = Graph.UniqueName(stem);
        Graph.SetInitializer(tensor.WithName(name).WithPlacementOf(replaces));
        return name;
    }

    /// <summary>Points input <paramref name="index"/> of <paramref name="node"/> at a new weight.</summary>
    public void ReplaceInputWithWeight(Node node, int index, string stem, TensorData tensor, TensorData? replaces = null)
    {
        string old = node.Input(index);
        Graph.SetNodeInput(node, index, AddWeight(stem, tensor, replaces));
        // Drop the old weight now if nothing else reads it (the pass would remove it at the end anyway): folding a
        // large model then never holds every old and every new weight at the same time. A Cast or Reshape chain that
        // computed it goes too.
        PruneConstantChain(old);
    }

    /// <summary>
    /// Backward fold epilogue: removes the affine op and lets <paramref name="producer"/> write the op's output name,
    /// so graph outputs and downstream names stay as they were.
    /// </summary>
    public void RemoveAffineRenamingProducer(AffineOp op, Node producer)
    {
        string intermediate = op.Input;
        RemoveAffineNodes(op);
        int index = producer.Outputs.ToList().IndexOf(intermediate);
        Graph.SetNodeOutput(producer, index, op.Output);
        Graph.RemoveValueInfo(intermediate);
    }

    /// <summary>Forward fold epilogue: removes the affine op; every reader of its output reads its input instead.</summary>
    public void BypassAffine(AffineOp op)
    {
        RemoveAffineNodes(op);
        foreach (var consumer in Graph.Consumers(op.Output).ToList())
            for (int i = 0; i < consumer.Inputs.Count; i++)
                if (consumer.Inputs[i] == op.Output)
                    Graph.SetNodeInput(consumer, i, op.Input);
        Graph.RemoveValueInfo(op.Output);
    }

    /// <summary>Removes the affine op's nodes and the constant chains that fed only them (a BN's Cast parameters).</summary>
    public void RemoveAffineNodes(AffineOp op)
    {
        var parameters = op.Nodes.SelectMany(n => n.Inputs).Where(i => i.Length > 0 && i != op.Input).Distinct().ToList();
        foreach (var node in op.Nodes) Graph.RemoveNode(node);
        foreach (string parameter in parameters)
            if (!op.Nodes.Any(n => n.Outputs.Contains(parameter)))
                PruneConstantChain(parameter);
    }

    /// <summary>The single node reading <paramref name="value"/>, when exactly one does and it is not a graph output.</summary>
    public Node? SoleConsumer(string value)
    {
        if (Graph.IsGraphOutput(value)) return null;
        var consumers = Graph.Consumers(value);
        return consumers.Count == 1 ? consumers[0] : null;
    }

    /// <summary>The element type of a value when the model declares it or a constant holds it.</summary>
    public OnnxDataType? ElementTypeOf(string value)
    {
        if (Graph.FindValueInfo(value) is { IsTensor: true } info && info.ElementType != OnnxDataType.Undefined)
            return info.ElementType;
        return TryConstant(value, out var t) ? t.ElementType : null;
    }
}
