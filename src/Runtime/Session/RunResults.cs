using System.Collections;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Session;

/// <summary>The outputs of a run, owned by the caller: read them as spans, then dispose to release them all.</summary>
public sealed class RunResults : IReadOnlyList<OrtValue>, IDisposable
{
    private readonly string[] _names;
    private readonly OrtValue[] _values;

    internal RunResults(string[] names, OrtValue[] values)
    {
        _names = names;
        _values = values;
    }

    /// <summary>The output names, in the same order as the values.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <inheritdoc />
    public int Count => _values.Length;

    /// <inheritdoc />
    public OrtValue this[int index] => _values[index];

    /// <summary>The output called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No output has that name.</exception>
    public OrtValue this[string name]
    {
        get
        {
            var index = Array.IndexOf(_names, name);
            return index >= 0
                ? _values[index]
                : throw new KeyNotFoundException($"No output named '{name}'; outputs are: {string.Join(", ", _names)}.");
        }
    }

    /// <inheritdoc />
    public IEnumerator<OrtValue> GetEnumerator() => ((IEnumerable<OrtValue>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Releases every output value.</summary>
    public void Dispose()
    {
        foreach (var value in _values)
            value.Dispose();
    }
}
