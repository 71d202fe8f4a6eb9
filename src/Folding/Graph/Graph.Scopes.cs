using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

/// <summary>
/// Nested scopes: the sub-graphs of control-flow nodes (If's branches, Loop's and Scan's bodies) as graphs of their
/// own that read the values of the graphs enclosing them. A sub-graph's names shadow outer ones; a value it does not
/// define itself is the enclosing graph's (<see cref="Outer"/>), which may in turn be a sub-graph.
/// </summary>
public sealed partial class Graph
{
    /// <summary>The graph a node of which holds this one as a sub-graph; null for a model's main graph.</summary>
    public Graph? Outer { get; }

    /// <summary>
    /// The sub-graphs of <paramref name="node"/> (a node of this graph), each with the attribute that holds it
    /// ("then_branch", "body"; "name[i]" for an entry of a graphs-valued attribute), in attribute order. Each is a view
    /// over a copy: reading it costs a copy of the sub-graph's message (tensor payloads are shared), and editing it
    /// leaves the model as it is.
    /// </summary>
    /// <exception cref="OnnxModelException">A sub-graph is inconsistent (a value defined twice, a read of nothing), or
    /// an external data file one of its initializers names cannot be read.</exception>
    public IReadOnlyList<(string Attribute, Graph Graph)> Subgraphs(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return SubgraphSlots(node).Select(slot => (slot.Label, OpenSubgraph(slot.Read().Clone(), _ => { }))).ToArray();
    }

    /// <summary>
    /// This graph, labelled <paramref name="path"/>, then every graph nested in it, depth first in node order, each
    /// labelled with its <see cref="ScopePath"/>. Nested graphs are views as <see cref="Subgraphs"/> makes them.
    /// </summary>
    public IEnumerable<(string Path, Graph Graph)> Scopes(string path = BnFate.MainScope)
    {
        yield return (path, this);
        foreach (var node in Nodes.Where(n => n.HasSubgraphs).ToList())
            foreach (var (attribute, graph) in Subgraphs(node))
                foreach (var scope in graph.Scopes(ScopePath(path, node, attribute)))
                    yield return scope;
    }

    /// <summary>The path of the sub-graph <paramref name="attribute"/> of <paramref name="node"/>: "main/If 'cond'/then_branch".</summary>
    public static string ScopePath(string outerPath, Node node, string attribute)
    {
        ArgumentNullException.ThrowIfNull(node);
        return $"{outerPath}/{node.OpType} '{node.DisplayName}'/{attribute}";
    }

    /// <summary>
    /// The places of <paramref name="node"/>'s sub-graphs: a label, and how to read and replace the message there.
    /// </summary>
    internal static IEnumerable<SubgraphSlot> SubgraphSlots(Node node)
    {
        foreach (var attribute in node.Proto.Attribute)
        {
            if (attribute.G is not null)
            {
                var a = attribute;
                yield return new SubgraphSlot(a.Name, () => a.G, g => a.G = g);
            }
            for (int i = 0; i < attribute.Graphs.Count; i++)
            {
                var (a, index) = (attribute, i);
                yield return new SubgraphSlot($"{a.Name}[{index}]", () => a.Graphs[index], g => a.Graphs[index] = g);
            }
        }
    }

    /// <summary>
    /// A sub-graph over <paramref name="proto"/> (which it takes over: its initializer list is emptied) enclosed by this
    /// graph; <paramref name="decoded"/> sees each initializer's message and its decoded tensor, so a caller writing the
    /// graph back can keep the message of a tensor no edit replaced.
    /// </summary>
    internal Graph OpenSubgraph(GraphProto proto, Action<(TensorProto Message, TensorData Tensor)> decoded) =>
        new(proto, File, tensor =>
        {
            var data = TensorProtoCodec.Decode(tensor, File, ExternalData);
            decoded((tensor, data));
            return data;
        }, this)
        { ExternalData = ExternalData };

    /// <summary>
    /// Re-reads which outer values <paramref name="node"/>'s sub-graphs use, after a fold inside them changed the
    /// message: a weight a body no longer reads must stop counting as read, or it could never be removed.
    /// </summary>
    internal void RefreshImplicitInputs(Node node)
    {
        Detach(node);
        node.ImplicitInputs = SubgraphScope.OuterReferences(node.Proto);
        Reattach(node);
    }

    /// <summary>The graph, this one or an enclosing one, that defines <paramref name="value"/>; null when none does.</summary>
    internal Graph? Owner(string value) => IsDefinedHere(value) ? this : Outer?.Owner(value);

    /// <summary>True when this graph, a graph nested in it, or an enclosing graph uses <paramref name="name"/>.</summary>
    private bool IsNameTakenInAnyScope(string name) => IsNameTaken(name) || (Outer?.IsNameTakenInAnyScope(name) ?? false);
}

/// <summary>Where a node keeps one of its sub-graphs: the attribute's label, and reading and replacing the message.</summary>
internal sealed record SubgraphSlot(string Label, Func<GraphProto> Read, Action<GraphProto> Replace);
