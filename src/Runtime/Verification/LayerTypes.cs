using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// Which element types the layer run compares, and how. The types themselves come from the probe sessions
/// (<see cref="LayerProbe.ComparedPairs"/>): ONNX Runtime types every exposed intermediate from the node that writes it.
/// </summary>
internal static class LayerTypes
{
    /// <summary>True for the floating-point types, whose intermediates are compared within tolerance.</summary>
    public static bool IsFloat(OnnxDataType type) =>
        type is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16;

    /// <summary>
    /// True for the types compared layer by layer: floating-point ones within tolerance, integers and booleans
    /// exactly (indices, masks, shapes); strings, complex numbers and 8-bit floats are not.
    /// </summary>
    public static bool IsCompared(OnnxDataType type) => IsFloat(type) || type is OnnxDataType.Bool or OnnxDataType.Int8 or
        OnnxDataType.Int16 or OnnxDataType.Int32 or OnnxDataType.Int64 or OnnxDataType.UInt8 or OnnxDataType.UInt16 or
        OnnxDataType.UInt32 or OnnxDataType.UInt64;
}
