namespace OnnxBn.Folding;

/// <summary>
/// Initializers by name, in file order, with O(1) add, replace and remove. OrderedDictionary shifts its entries on
/// every removal, and a fold removes one weight per BN (the one it replaces): a 16k-node chain spent most of its
/// fold time there. A replacement keeps its predecessor's place, a new name goes last.
/// </summary>
internal sealed class InitializerTable
{
    private readonly Dictionary<string, LinkedListNode<TensorData>> _byName = new(StringComparer.Ordinal);
    private readonly LinkedList<TensorData> _order = new();

    public int Count => _byName.Count;

    public IEnumerable<TensorData> Values => _order;

    public IEnumerable<string> Keys => _order.Select(t => t.Name);

    public bool ContainsKey(string name) => _byName.ContainsKey(name);

    public bool TryGetValue(string name, out TensorData tensor)
    {
        if (_byName.TryGetValue(name, out var node))
        {
            tensor = node.Value;
            return true;
        }
        tensor = null!;
        return false;
    }

    public TensorData? GetValueOrDefault(string name) => _byName.TryGetValue(name, out var node) ? node.Value : null;

    public bool TryAdd(string name, TensorData tensor)
    {
        if (_byName.ContainsKey(name))
            return false;
        _byName[name] = _order.AddLast(tensor);
        return true;
    }

    public TensorData this[string name]
    {
        set
        {
            if (_byName.TryGetValue(name, out var node)) node.Value = value;
            else _byName[name] = _order.AddLast(value);
        }
    }

    public bool Remove(string name)
    {
        if (!_byName.Remove(name, out var node))
            return false;
        _order.Remove(node);
        return true;
    }
}
