namespace OnnxBn.Folding;

/// <summary>
/// Edits of the graph's interface (its declared inputs and outputs) and the clean-up that usually follows one: after
/// the outputs change, whatever no longer feeds them is pruned. Every edit keeps the producer/consumer indexes and the
/// input/output sets in step with the message, so no serialize-and-reload is needed to rebuild them.
/// </summary>
public sealed partial class Graph
{
    /// <summary>
    /// Makes <paramref name="outputs"/> the graph's outputs, in that order. Each declaration is copied (a
    /// <see cref="ValueInfo"/> taken from another graph stays independent of this one). A value_info entry for a new
    /// output is dropped: the output's declaration replaces it, and two declarations could disagree.
    /// </summary>
    /// <exception cref="ArgumentException">An output is unnamed, named twice, or nothing in the graph defines it.</exception>
    public void SetOutputs(IEnumerable<ValueInfo> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var list = outputs.ToList();
        if (list.Count == 0)
            throw new ArgumentException("A graph needs at least one output.", nameof(outputs));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in list)
        {
            if (output.Name.Length == 0)
                throw new ArgumentException("A graph output needs a name.", nameof(outputs));
            if (!names.Add(output.Name))
                throw new ArgumentException($"Graph output '{output.Name}' is listed twice.", nameof(outputs));
            if (!IsDefined(output.Name))
                throw new ArgumentException($"Graph output '{output.Name}' is produced by nothing (no node, initializer or graph input).", nameof(outputs));
        }
        Proto.Output.Clear();
        Proto.Output.AddRange(list.Select(o => o.Proto.Clone()));
        ForgetDeclarations();
        _graphOutputs.Clear();
        _graphOutputs.UnionWith(names);
        foreach (var name in names)
            RemoveValueInfo(name);
    }

    /// <summary>Makes <paramref name="output"/> the graph's only output (see <see cref="SetOutputs"/>).</summary>
    public void SetOutput(ValueInfo output) => SetOutputs([output]);

    /// <summary>
    /// Removes graph inputs that no node (directly or from a sub-graph) reads and that are not graph outputs; an
    /// initializer that gave such an input its default goes with it, and so does a value_info entry naming it. Returns
    /// the removed inputs' names.
    /// </summary>
    public IReadOnlyList<string> RemoveUnusedInputs()
    {
        FlushValueInfo();
        var unused = Proto.Input.Where(i => !_consumers.ContainsKey(i.Name) && !_graphOutputs.Contains(i.Name)).ToList();
        foreach (var input in unused)
        {
            Proto.Input.Remove(input);
            ForgetDeclarations();
            _graphInputs.Remove(input.Name);
            _initializers.Remove(input.Name);
            _vacatedValues.Add(input.Name);
            RemoveValueInfo(input.Name);
        }
        return unused.Select(i => i.Name).ToArray();
    }

    /// <summary>
    /// Turns every graph input that has an initializer into a plain initializer (a constant): the input is removed
    /// from the interface, its initializer stays. Models of IR version 3 had to list every initializer as an input,
    /// and exporters still do on request (PyTorch's <c>keep_initializers_as_inputs=True</c>); such weights are only
    /// defaults a caller may override, so nothing folds them until they are frozen. Returns the frozen names.
    /// </summary>
    public IReadOnlyList<string> FreezeInitializerInputs()
    {
        var frozen = Proto.Input.Where(i => _initializers.ContainsKey(i.Name)).ToList();
        foreach (var input in frozen)
        {
            Proto.Input.Remove(input);
            _graphInputs.Remove(input.Name);
        }
        ForgetDeclarations();
        return frozen.Select(i => i.Name).ToArray();
    }

    /// <summary>
    /// Removes every node that no graph output depends on (through its inputs or its sub-graphs' outer reads), then
    /// the initializers nothing reads any more and the value_info entries of values that no longer exist. Graph inputs
    /// stay (they are the model's interface; <see cref="RemoveUnusedInputs"/> drops unread ones). Returns how many
    /// nodes were removed.
    /// </summary>
    public int PruneUnreachable()
    {
        var live = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<string>(_graphOutputs);
        while (pending.TryPop(out var value))
        {
            if (!_producers.TryGetValue(value, out var node) || !live.Add(node))
                continue;
            foreach (var input in node.Inputs.Concat(node.ImplicitInputs).Where(i => i.Length > 0))
                pending.Push(input);
        }
        var dead = Materialize().Where(n => !live.Contains(n)).ToList();
        foreach (var node in dead)
        {
            Detach(node);
            _members.Remove(node);
            UncountName(node);
        }
        _nodes.RemoveAll(n => !live.Contains(n));
        RemoveDeadInitializers();
        RemoveStaleValueInfo();
        return dead.Count;
    }

    /// <summary>True when this graph or, for a sub-graph, an enclosing one defines <paramref name="value"/>.</summary>
    private bool IsDefined(string value) => IsDefinedHere(value) || (Outer?.IsDefined(value) ?? false);

    /// <summary>True when this graph itself defines <paramref name="value"/> (a node output, initializer or graph input).</summary>
    internal bool IsDefinedHere(string value) =>
        _producers.ContainsKey(value) || _graphInputs.Contains(value) || _initializers.ContainsKey(value) || _sparseInitializers.Contains(value);

    /// <summary>Throws when the input/output sets disagree with the declared inputs and outputs.</summary>
    private void CheckBoundaries()
    {
        if (!_graphInputs.SetEquals(Proto.Input.Select(i => i.Name)))
            throw new InvalidOperationException("graph input index is stale");
        if (!_graphOutputs.SetEquals(Proto.Output.Select(o => o.Name)))
            throw new InvalidOperationException("graph output index is stale");
    }
}
