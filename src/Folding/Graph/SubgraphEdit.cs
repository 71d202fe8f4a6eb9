using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

/// <summary>
/// A sub-graph opened for folding: a graph over a copy of the node's message, put back in the node only by
/// <see cref="Commit"/>. A body no fold changed is never committed and stays byte for byte as it was; a committed one
/// keeps the original message of every initializer no fold replaced.
/// </summary>
internal sealed class SubgraphEdit
{
    private readonly SubgraphSlot _slot;
    private readonly GraphProto _copy;
    private readonly Dictionary<TensorData, TensorProto> _messages = new(ReferenceEqualityComparer.Instance);

    public SubgraphEdit(Graph outer, SubgraphSlot slot)
    {
        _slot = slot;
        _copy = slot.Read().Clone();
        Graph = outer.OpenSubgraph(_copy, decoded => _messages[decoded.Tensor] = decoded.Message);
    }

    /// <summary>The attribute that holds the sub-graph ("then_branch", "body").</summary>
    public string Attribute => _slot.Label;

    /// <summary>The sub-graph, enclosed by the graph it was opened from.</summary>
    public Graph Graph { get; }

    /// <summary>Writes the edited sub-graph into its node, in place of the message it was opened from.</summary>
    public void Commit()
    {
        Graph.Flush();
        Graph.WriteTo(_copy, tensor => _messages.TryGetValue(tensor, out var message) ? message : TensorProtoCodec.EncodeInline(tensor));
        _slot.Replace(_copy);
    }
}
