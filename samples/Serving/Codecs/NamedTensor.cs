using OnnxBn.Folding;

namespace OnnxBn.Serving.Codecs;

/// <summary>A tensor as it crosses the wire: a name, an element type, a shape and its little-endian element bytes.</summary>
public sealed record NamedTensor(string Name, OnnxDataType ElementType, long[] Shape, byte[] Data)
{
    /// <summary>Elements in the tensor (the product of the shape).</summary>
    public long ElementCount => ElementCountOf(Shape);

    /// <summary>The product of <paramref name="shape"/>, or -1 when it overflows.</summary>
    public static long ElementCountOf(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0 || (dim > 0 && count > long.MaxValue / dim))
                return -1;
            count *= dim;
        }
        return count;
    }
}
