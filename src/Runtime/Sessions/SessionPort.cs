using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Sessions;

/// <summary>One input or output of a session: its name, kind, element type and shape as ONNX Runtime reports them.</summary>
/// <param name="Name">The graph input or output name.</param>
/// <param name="Kind">Tensor, sequence, map, …</param>
/// <param name="ElementType">The tensor's element type (<see cref="OnnxDataType.Undefined"/> for other kinds).</param>
/// <param name="Shape">Dimensions; -1 where the model leaves a dimension open.</param>
/// <param name="SymbolicDimensions">The name of each open dimension ("" when it has none).</param>
public sealed record SessionPort(
    string Name,
    OnnxValueType Kind,
    OnnxDataType ElementType,
    IReadOnlyList<long> Shape,
    IReadOnlyList<string> SymbolicDimensions)
{
    /// <summary>Whether the value is a tensor.</summary>
    public bool IsTensor => Kind == OnnxValueType.ONNX_TYPE_TENSOR;

    /// <summary>The shape as text, symbolic names for open dimensions: <c>[batch,784]</c>, <c>[?,10]</c>.</summary>
    public string ShapeText =>
        "[" + string.Join(",", Shape.Select((d, i) =>
            d >= 0 ? d.ToString(CultureInfo.InvariantCulture)
            : i < SymbolicDimensions.Count && SymbolicDimensions[i].Length > 0 ? SymbolicDimensions[i] : "?")) + "]";

    internal static SessionPort From(string name, NodeMetadata metadata) =>
        metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR
            ? new SessionPort(name, metadata.OnnxValueType, (OnnxDataType)(int)metadata.ElementDataType,
                metadata.Dimensions.Select(d => (long)d).ToArray(),
                metadata.SymbolicDimensions.Select(s => s ?? "").ToArray())
            : new SessionPort(name, metadata.OnnxValueType, OnnxDataType.Undefined, [], []);
}
