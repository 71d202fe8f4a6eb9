using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

public sealed partial class Graph
{
    private int _nameCounter;

    /// <summary>Points input <paramref name="index"/> of <paramref name="node"/> at <paramref name="value"/> ("" omits it).</summary>
    public void SetNodeInput(Node node, int index, string value)
    {
        Detach(node);
        while (node.Proto.Input.Count <= index) node.Proto.Input.Add("");
        node.Proto.Input[index] = value;
        TrimTrailingEmpty(node.Proto.Input);
        Reattach(node);
    }

    /// <summary>Renames output <paramref name="index"/> of <paramref name="node"/>.</summary>
    public void SetNodeOutput(Node node, int index, string value)
    {
        Detach(node);
        while (node.Proto.Output.Count <= index) node.Proto.Output.Add("");
        node.Proto.Output[index] = value;
        TrimTrailingEmpty(node.Proto.Output);
        Reattach(node);
    }

    /// <summary>Adds a default-domain node right after <paramref name="after"/> (or at the end).</summary>
    public Node AddNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, string name, Node? after = null)
    {
        var proto = new NodeProto { OpType = opType, Name = name };
        proto.Input.AddRange(inputs);
        proto.Output.AddRange(outputs);
        var node = new Node(proto, []);
        if (after is not null && _members.Contains(after))
            InsertAfter(after, node);
        else
            Attach(node, after is null ? _nodes.Count : Materialize().IndexOf(after) + 1);
        return node;
    }

    /// <summary>
    /// Removes <paramref name="node"/> and its index entries; its outputs become undefined, so their readers must be
    /// rewired first (<see cref="CheckInvariants"/> throws otherwise). Removing a node that is not in the graph does
    /// nothing.
    /// </summary>
    public void RemoveNode(Node node)
    {
        Detach(node);
        if (_members.Remove(node))
            Forget(node);
    }

    /// <summary>Adds an initializer, or replaces the one of the same name in place.</summary>
    public void SetInitializer(TensorData tensor) => _initializers[tensor.Name] = tensor;

    /// <summary>
    /// Removes the initializer named <paramref name="name"/>, if any. A node that still reads it is left dangling
    /// until <see cref="CheckInvariants"/> reports it; a graph input of that name stays, without its default.
    /// </summary>
    public void RemoveInitializer(string name)
    {
        if (_initializers.Remove(name))
            _vacatedValues.Add(name);
    }

    /// <summary>A value/node name based on <paramref name="stem"/> that nothing in the graph uses yet.</summary>
    public string UniqueName(string stem)
    {
        string candidate = stem;
        while (IsNameTaken(candidate))
            candidate = $"{stem}_{++_nameCounter}";
        return candidate;
    }

    /// <summary>Removes initializers that no node, sub-graph or graph output reads; returns how many.</summary>
    public int RemoveDeadInitializers()
    {
        var dead = _initializers.Keys.Where(n => !_consumers.ContainsKey(n) && !_graphOutputs.Contains(n) && !_graphInputs.Contains(n)).ToList();
        foreach (var name in dead) _initializers.Remove(name);
        return dead.Count;
    }

    /// <summary>Drops value_info entries of values that no longer exist.</summary>
    public int RemoveStaleValueInfo()
    {
        FlushValueInfo();
        var kept = Proto.ValueInfo.Where(v => _producers.ContainsKey(v.Name) || _initializers.ContainsKey(v.Name) || _graphInputs.Contains(v.Name)).ToList();
        int stale = Proto.ValueInfo.Count - kept.Count;
        if (stale > 0)
        {
            Proto.ValueInfo.Clear();
            Proto.ValueInfo.AddRange(kept);
            ForgetDeclarations();
        }
        return stale;
    }

    /// <summary>Reorders nodes topologically, keeping the current order wherever the dependencies allow it.</summary>
    public void TopologicalSort()
    {
        var order = TopologicalOrder().ToList();
        _nodes.Clear();
        _nodes.AddRange(order);
    }

    /// <summary>Nodes in a dependency-respecting order (stable: the first ready node in file order comes first).</summary>
    public IReadOnlyList<Node> TopologicalOrder()
    {
        // Plain arrays, no per-node collections: the fold driver runs this every round, and surgery after every cut.
        Materialize();
        int count = _nodes.Count;
        var position = new Dictionary<Node, int>(count, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < count; i++) position[_nodes[i]] = i;
        // Edges producer → consumer. A node reading a value twice (or two outputs of one producer) gets one edge per
        // read and waits for each of them, which orders it the same as one edge would.
        var edges = new List<(int Producer, int Consumer)>(count * 2);
        var pending = new int[count];
        var fanOut = new int[count + 1];
        for (int i = 0; i < count; i++)
        {
            AddEdges(_nodes[i].Inputs, i);
            AddEdges(_nodes[i].ImplicitInputs, i);
        }
        // Consumers of node p are dependents[start[p] .. start[p + 1]).
        var start = new int[count + 1];
        for (int p = 0; p < count; p++) start[p + 1] = start[p] + fanOut[p];
        var dependents = new int[edges.Count];
        var fill = start[..count];
        foreach (var (p, i) in edges) dependents[fill[p]++] = i;

        var ready = new PriorityQueue<int, int>();
        for (int i = 0; i < count; i++)
            if (pending[i] == 0) ready.Enqueue(i, i);
        var result = new List<Node>(count);
        while (ready.TryDequeue(out int i, out _))
        {
            result.Add(_nodes[i]);
            for (int k = start[i]; k < start[i + 1]; k++)
                if (--pending[dependents[k]] == 0) ready.Enqueue(dependents[k], dependents[k]);
        }
        if (result.Count != count)
        {
            var stuck = _nodes.Where((_, i) => pending[i] > 0).First();
            throw new OnnxModelException(File, "the graph has a cycle", $"node '{stuck.DisplayName}'");
        }
        return result;

        void AddEdges(IEnumerable<string> inputs, int consumer)
        {
            foreach (var input in inputs)
                if (input.Length > 0 && _producers.TryGetValue(input, out var producer) && position.TryGetValue(producer, out int p))
                {
                    pending[consumer]++;
                    fanOut[p]++;
                    edges.Add((p, consumer));
                }
        }
    }

    /// <summary>Throws when an index disagrees with the nodes, a value is read but never defined, or the graph has a cycle.</summary>
    public void CheckInvariants()
    {
        foreach (var node in Materialize())
        {
            foreach (var output in node.Outputs)
                if (output.Length > 0 && (!_producers.TryGetValue(output, out var p) || !ReferenceEquals(p, node)))
                    throw new InvalidOperationException($"producer index is stale for '{output}'");
            foreach (var input in node.Inputs)
                if (input.Length > 0 && (!_consumers.TryGetValue(input, out var list) || !list.Contains(node)))
                    throw new InvalidOperationException($"consumer index is stale for '{input}'");
        }
        // The other direction: an index entry left behind by a removed node would make a pass see a phantom reader.
        if (_members.Count != _nodes.Count)
            throw new InvalidOperationException("node membership is stale");
        foreach (var (value, producer) in _producers)
            if (!_members.Contains(producer))
                throw new InvalidOperationException($"producer index names a removed node for '{value}'");
        foreach (var (value, consumers) in _consumers)
            foreach (var consumer in consumers)
                if (!_members.Contains(consumer))
                    throw new InvalidOperationException($"consumer index names a removed node for '{value}'");
        CheckBoundaries();
        Validate();
        ClearEditLog();
    }

    /// <summary>Writes nodes and initializers back into <paramref name="target"/> (a copy of this graph's message).</summary>
    internal void WriteTo(GraphProto target, Func<TensorData, TensorProto> encode)
    {
        target.Node.Clear();
        target.Node.AddRange(Materialize().Select(n => n.Proto));
        target.Initializer.Clear();
        target.Initializer.AddRange(_initializers.Values.Select(encode));
    }

    private bool IsNameTaken(string name) =>
        _producers.ContainsKey(name) || _consumers.ContainsKey(name) || _initializers.ContainsKey(name) ||
        _graphInputs.Contains(name) || _graphOutputs.Contains(name) || _subgraphNames.Contains(name) ||
        _nodeNames.ContainsKey(name);

    private void Attach(Node node, int position)
    {
        _nodes.Insert(position, node);
        _members.Add(node);
        CountName(node);
        Reattach(node);
    }

    private void Reattach(Node node)
    {
        _editedNodes.Add(node);
        foreach (var output in node.Outputs.Where(o => o.Length > 0))
            if (!_producers.TryAdd(output, node))
                throw new OnnxModelException(File, $"value '{output}' is produced twice", $"node '{node.DisplayName}'");
        foreach (var input in node.Inputs.Concat(node.ImplicitInputs).Where(i => i.Length > 0).Distinct())
        {
            if (!_consumers.TryGetValue(input, out var list))
                _consumers[input] = list = [];
            list.Add(node);
        }
    }

    private void Detach(Node node)
    {
        LogDetached(node);
        foreach (var output in node.Outputs.Where(o => o.Length > 0))
            if (_producers.TryGetValue(output, out var p) && ReferenceEquals(p, node))
                _producers.Remove(output);
        foreach (var input in node.Inputs.Concat(node.ImplicitInputs).Where(i => i.Length > 0).Distinct())
            if (_consumers.TryGetValue(input, out var list))
            {
                list.Remove(node);
                if (list.Count == 0) _consumers.Remove(input);
            }
    }

    private static void TrimTrailingEmpty(Google.Protobuf.Collections.RepeatedField<string> names)
    {
        while (names.Count > 0 && names[^1].Length == 0) names.RemoveAt(names.Count - 1);
    }
}
