using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

/// <summary>
/// The main graph of a model as a small linked IR: nodes, constant initializers, declared values, and the
/// producer/consumer indexes that let a pass ask "who consumes this value" in O(1). Edits go through the methods
/// here so the indexes never go stale; <see cref="CheckInvariants"/> verifies them.
/// </summary>
public sealed partial class Graph
{
    private readonly List<Node> _nodes = [];
    private readonly HashSet<Node> _members = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Node> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Node>> _consumers = new(StringComparer.Ordinal);
    private readonly InitializerTable _initializers = new();
    private readonly HashSet<string> _graphInputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphOutputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sparseInitializers = new(StringComparer.Ordinal);

    /// <summary>Names defined inside sub-graphs: <see cref="UniqueName"/> avoids them so no new value shadows one.</summary>
    private readonly HashSet<string> _subgraphNames = new(StringComparer.Ordinal);

    internal Graph(GraphProto proto, string? file, ExternalDataReader? externalData)
        : this(proto, file, tensor => TensorProtoCodec.Decode(tensor, file, externalData))
    {
    }

    /// <summary>A graph over <paramref name="proto"/> whose initializers come from <paramref name="decodeInitializer"/>.</summary>
    internal Graph(GraphProto proto, string? file, Func<TensorProto, TensorData> decodeInitializer)
    {
        Proto = proto;
        File = file;
        foreach (var tensor in proto.Initializer)
        {
            var data = decodeInitializer(tensor);
            if (!_initializers.TryAdd(data.Name, data))
                throw new OnnxModelException(file, "initializer is defined twice", $"tensor '{data.Name}'");
        }
        // _initializers is the source of truth from here on (WriteTo rebuilds the list on every save). Keeping the
        // parsed messages here too would pin every replaced weight's bytes until the model is dropped: a fold of a
        // 100 MB model would then hold old and new weights at once.
        proto.Initializer.Clear();
        foreach (var sparse in proto.SparseInitializer)
            _sparseInitializers.Add(sparse.Values?.Name ?? "");
        foreach (var input in proto.Input) _graphInputs.Add(input.Name);
        foreach (var output in proto.Output) _graphOutputs.Add(output.Name);
        foreach (var nodeProto in proto.Node)
        {
            Attach(new Node(nodeProto, SubgraphScope.OuterReferences(nodeProto)), _nodes.Count);
            SubgraphScope.AddDefinedNames(nodeProto, _subgraphNames);
        }
        Validate();
        ClearEditLog();
    }

    internal GraphProto Proto { get; }

    /// <summary>The model file this graph came from (for error messages), or null.</summary>
    public string? File { get; }

    /// <summary>The graph's name from the model (GraphProto.name); empty when the model gives none.</summary>
    public string Name => Proto.Name ?? "";

    /// <summary>Nodes in their current order (topological for a valid graph after <see cref="TopologicalSort"/>).</summary>
    public IReadOnlyList<Node> Nodes => Materialize();

    /// <summary>
    /// The declared graph inputs in model order, including those that also have an initializer (a default the caller
    /// may override); <see cref="RuntimeInputs"/> leaves those out. A new snapshot on every call.
    /// </summary>
    public IReadOnlyList<ValueInfo> Inputs => Proto.Input.Select(v => new ValueInfo(v)).ToArray();

    /// <summary>Graph inputs that are not initializers: the values a caller must feed.</summary>
    public IReadOnlyList<ValueInfo> RuntimeInputs => Proto.Input.Where(v => !_initializers.ContainsKey(v.Name)).Select(v => new ValueInfo(v)).ToArray();

    /// <summary>The declared graph outputs in model order. A new snapshot on every call.</summary>
    public IReadOnlyList<ValueInfo> Outputs => Proto.Output.Select(v => new ValueInfo(v)).ToArray();

    /// <summary>
    /// The model's value_info entries: declared types and shapes of intermediate values, without the entries that
    /// edits removed. A new snapshot on every call.
    /// </summary>
    public IReadOnlyList<ValueInfo> ValueInfos
    {
        get
        {
            FlushValueInfo();
            return Proto.ValueInfo.Select(v => new ValueInfo(v)).ToArray();
        }
    }

    /// <summary>Every initializer (constant tensor) of the graph, live: do not edit the graph while enumerating.</summary>
    public IEnumerable<TensorData> Initializers => _initializers.Values;

    /// <summary>How many initializers the graph holds now, including those that are also graph inputs.</summary>
    public int InitializerCount => _initializers.Count;

    /// <summary>
    /// The node that outputs <paramref name="value"/>, or null for a graph input, an initializer or an unknown name.
    /// </summary>
    public Node? Producer(string value) => _producers.GetValueOrDefault(value);

    /// <summary>True while <paramref name="node"/> is part of this graph (false once removed).</summary>
    public bool Contains(Node node) => _members.Contains(node);

    /// <summary>Nodes that read <paramref name="value"/>, directly or from a sub-graph; a node reading it twice appears once.</summary>
    public IReadOnlyList<Node> Consumers(string value) =>
        _consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>True when <paramref name="value"/> is declared as a graph input (with or without an initializer).</summary>
    public bool IsGraphInput(string value) => _graphInputs.Contains(value);

    /// <summary>True when <paramref name="value"/> is a graph output: a rule must keep its name and its values.</summary>
    public bool IsGraphOutput(string value) => _graphOutputs.Contains(value);

    /// <summary>
    /// The initializer named <paramref name="name"/>, or null. Unlike <see cref="TryGetConstant"/> this also returns
    /// an initializer that is a graph input, whose value the caller may replace at run time.
    /// </summary>
    public TensorData? Initializer(string name) => _initializers.GetValueOrDefault(name);

    /// <summary>The declared type of a value (graph input, output or value_info), when the model declares it.</summary>
    public ValueInfo? FindValueInfo(string name) => Declaration(name) is { } proto ? new ValueInfo(proto) : null;

    /// <summary>
    /// The constant value of <paramref name="value"/>: an initializer that is not also a graph input (a graph input
    /// with a default can be overridden at run time), or the output of a Constant node.
    /// </summary>
    public bool TryGetConstant(string value, out TensorData constant)
    {
        constant = null!;
        if (value.Length == 0 || _graphInputs.Contains(value))
            return false;
        if (_initializers.TryGetValue(value, out var init))
        {
            constant = init;
            return true;
        }
        if (_producers.TryGetValue(value, out var producer) && producer.Is("Constant"))
        {
            var decoded = ConstantNodeValue.Read(producer, File);
            if (decoded is null) return false;
            constant = decoded.WithName(value);
            return true;
        }
        return false;
    }

    /// <summary>True when every value in the graph is defined once and every node input has a definition.</summary>
    private void Validate()
    {
        // Implicit inputs too: a sub-graph reading an outer value that nothing defines is as broken as a direct read.
        foreach (var node in Materialize())
        {
            foreach (var input in node.Inputs)
                if (input.Length > 0 && !IsDefined(input))
                    throw new OnnxModelException(File, $"input '{input}' is produced by nothing (no node, initializer or graph input)", $"node '{node.DisplayName}'");
            foreach (var input in node.ImplicitInputs)
                if (input.Length > 0 && !IsDefined(input))
                    throw new OnnxModelException(File, $"input '{input}' is produced by nothing (no node, initializer or graph input)", $"node '{node.DisplayName}'");
        }
        foreach (var output in _graphOutputs)
            if (!IsDefined(output))
                throw new OnnxModelException(File, $"graph output '{output}' is produced by nothing");
        TopologicalOrder();
    }
}
