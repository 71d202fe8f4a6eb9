using OnnxBn.Folding;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Session;

/// <summary>What kind of value an input or output holds (<c>ONNXType</c>).</summary>
public enum OrtValueKind
{
    /// <summary>Not known.</summary>
    Unknown = 0,
    /// <summary>A dense tensor.</summary>
    Tensor = 1,
    /// <summary>A sequence of values.</summary>
    Sequence = 2,
    /// <summary>A map.</summary>
    Map = 3,
    /// <summary>An opaque value.</summary>
    Opaque = 4,
    /// <summary>A sparse tensor.</summary>
    SparseTensor = 5,
    /// <summary>An optional value.</summary>
    Optional = 6,
}

/// <summary>
/// One model input or output as ONNX Runtime sees it: name, kind, element type and shape. Unknown dimensions are -1;
/// a symbolic dimension (such as <c>N</c> or <c>batch</c>) is -1 with its name in <see cref="SymbolicDimensions"/>.
/// </summary>
public sealed record NodeMetadata(
    string Name,
    OrtValueKind Kind,
    TensorElementType ElementType,
    IReadOnlyList<long> Shape,
    IReadOnlyList<string> SymbolicDimensions)
{
    /// <summary>True for dense tensors.</summary>
    public bool IsTensor => Kind == OrtValueKind.Tensor;

    /// <summary>The shape with symbolic names where known: <c>[N,1,28,28]</c>, <c>?</c> for anonymous unknowns.</summary>
    public string ShapeText =>
        "[" + string.Join(",", Shape.Select((d, i) =>
            d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : SymbolicDimensions[i].Length > 0 ? SymbolicDimensions[i] : "?")) + "]";
}
