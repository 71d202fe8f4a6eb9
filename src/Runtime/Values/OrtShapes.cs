using OnnxBn.Folding;

namespace OnnxBn.Runtime.Values;

/// <summary>Shape helpers for ONNX Runtime tensors (element types are <see cref="TensorElementType"/>, whose numbers
/// ONNX Runtime's <c>ONNXTensorElementDataType</c> shares).</summary>
public static class OrtShapes
{
    /// <summary>The product of the dimensions (1 for a scalar); throws for negative dimensions or overflow.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
                throw new ArgumentException($"Shape [{string.Join(",", shape.ToArray())}] has a negative dimension.", nameof(shape));
            count = checked(count * dim);
        }
        return count;
    }

    /// <summary>Formats a shape as <c>[1,3,224,224]</c>.</summary>
    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(",", shape) + "]";
}
