using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

/// <summary>
/// One operator invocation in a <see cref="Graph"/>. Reads go straight to the underlying message so that nothing
/// the IR does not model is lost; edits of inputs and outputs go through the graph, which keeps its indexes.
/// </summary>
public sealed class Node
{
    internal Node(NodeProto proto, IReadOnlyCollection<string> implicitInputs)
    {
        Proto = proto;
        ImplicitInputs = implicitInputs;
    }

    internal NodeProto Proto { get; }

    /// <summary>Outer-scope values read by the node's sub-graphs (If/Loop/Scan bodies).</summary>
    public IReadOnlyCollection<string> ImplicitInputs { get; }

    /// <summary>The node's name from the model; empty when unnamed (ONNX allows it; see <see cref="DisplayName"/>).</summary>
    public string Name => Proto.Name ?? "";

    /// <summary>
    /// The operator name, e.g. "Conv" or "BatchNormalization"; compare with <see cref="Is"/>, which checks the domain
    /// too.
    /// </summary>
    public string OpType => Proto.OpType ?? "";

    /// <summary>The operator domain; empty for the default ONNX domain.</summary>
    public string Domain => Proto.Domain ?? "";

    /// <summary>True for an operator of the default ONNX domain ("" or "ai.onnx") with this op type.</summary>
    public bool Is(string opType) => OpType == opType && Domain is "" or "ai.onnx";

    /// <summary>Input names; an empty name marks an omitted optional input.</summary>
    public IReadOnlyList<string> Inputs => Proto.Input;

    /// <summary>Output names; an empty name marks an optional output the node does not produce.</summary>
    public IReadOnlyList<string> Outputs => Proto.Output;

    /// <summary>Input <paramref name="index"/>, or "" when it is absent or omitted.</summary>
    public string Input(int index) => index < Proto.Input.Count ? Proto.Input[index] : "";

    /// <summary>Output <paramref name="index"/>, or "" when it is absent or omitted.</summary>
    public string Output(int index) => index < Proto.Output.Count ? Proto.Output[index] : "";

    /// <summary>Number of outputs actually produced (trailing empty names are omitted optional outputs).</summary>
    public int PresentOutputCount => Proto.Output.Count(o => o.Length > 0);

    /// <summary>A label for reports and errors: the node name, or op type and first output when unnamed.</summary>
    public string DisplayName => Name.Length > 0 ? Name : $"{OpType}({Output(0)})";

    /// <summary>True when the node sets attribute <paramref name="name"/> (an absent one takes the operator's default).</summary>
    public bool HasAttribute(string name) => FindAttribute(name) is not null;

    /// <summary>
    /// Integer attribute <paramref name="name"/> (e.g. Conv's <c>group</c>), or <paramref name="defaultValue"/> when the
    /// node does not set it: pass the operator's default from the ONNX specification.
    /// </summary>
    public long GetInt(string name, long defaultValue) => FindAttribute(name) is { } a ? a.I : defaultValue;

    /// <summary>
    /// Float attribute <paramref name="name"/> (e.g. BatchNormalization's <c>epsilon</c>), or
    /// <paramref name="defaultValue"/> when the node does not set it.
    /// </summary>
    public float GetFloat(string name, float defaultValue) => FindAttribute(name) is { } a ? a.F : defaultValue;

    /// <summary>
    /// String attribute <paramref name="name"/> decoded as UTF-8 (e.g. Conv's <c>auto_pad</c>), or
    /// <paramref name="defaultValue"/> when the node does not set it.
    /// </summary>
    public string GetString(string name, string defaultValue) =>
        FindAttribute(name) is { } a ? a.S.ToStringUtf8() : defaultValue;

    /// <summary>
    /// A copy of integer-list attribute <paramref name="name"/> (e.g. <c>pads</c>, <c>strides</c>), or null when the
    /// node does not set it (the caller applies the operator's default, which often depends on the input's rank).
    /// </summary>
    public long[]? GetInts(string name) => FindAttribute(name) is { } a ? a.Ints.ToArray() : null;

    /// <summary>A copy of float-list attribute <paramref name="name"/>, or null when the node does not set it.</summary>
    public float[]? GetFloats(string name) => FindAttribute(name) is { } a ? a.Floats.ToArray() : null;

    /// <summary>A tensor-valued attribute (Constant's value), decoded.</summary>
    public TensorData? GetTensor(string name, string? file = null) =>
        FindAttribute(name) is { T: { } t } ? TensorProtoCodec.Decode(t, file, externalData: null) : null;

    /// <summary>Names of all attributes, in file order.</summary>
    public IEnumerable<string> AttributeNames => Proto.Attribute.Select(a => a.Name);

    /// <summary>True when an attribute holds a sub-graph (control flow).</summary>
    public bool HasSubgraphs => Proto.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0);

    /// <summary>Sets integer attribute <paramref name="name"/>, adding it when absent.</summary>
    public void SetInt(string name, long value) => Upsert(name, AttributeProto.Types.AttributeType.Int).I = value;

    /// <summary>Sets float attribute <paramref name="name"/>, adding it when absent.</summary>
    public void SetFloat(string name, float value) => Upsert(name, AttributeProto.Types.AttributeType.Float).F = value;

    /// <summary>Replaces the values of integer-list attribute <paramref name="name"/>, adding it when absent.</summary>
    public void SetInts(string name, IEnumerable<long> values)
    {
        var a = Upsert(name, AttributeProto.Types.AttributeType.Ints);
        a.Ints.Clear();
        a.Ints.AddRange(values);
    }

    /// <summary>
    /// Removes attribute <paramref name="name"/> so the operator's default applies; does nothing when it is absent.
    /// </summary>
    public void RemoveAttribute(string name)
    {
        var a = FindAttribute(name);
        if (a is not null) Proto.Attribute.Remove(a);
    }

    internal AttributeProto? FindAttribute(string name)
    {
        foreach (var a in Proto.Attribute)
            if (a.Name == name) return a;
        return null;
    }

    private AttributeProto Upsert(string name, AttributeProto.Types.AttributeType type)
    {
        var a = FindAttribute(name);
        if (a is null)
        {
            a = new AttributeProto { Name = name, Type = type };
            Proto.Attribute.Add(a);
        }
        return a;
    }

    /// <summary>A one-line debugging view: display name, op type, inputs and outputs.</summary>
    public override string ToString() => $"{DisplayName} [{OpType}] ({string.Join(", ", Inputs)}) -> ({string.Join(", ", Outputs)})";
}
