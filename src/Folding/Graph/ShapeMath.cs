namespace OnnxBn.Folding;

/// <summary>Element counts and strides of row-major shapes, with overflow and sign checks.</summary>
public static class ShapeMath
{
    /// <summary>Product of the dims; throws for a negative dim or a product that overflows 64 bits.</summary>
    public static long ElementCount(IReadOnlyList<long> dims)
    {
        long count = 1;
        for (int i = 0; i < dims.Count; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentException($"dimension {i} is negative ({dims[i]})");
            count = checked(count * dims[i]);
        }
        return count;
    }

    /// <summary>Product of dims[from..to).</summary>
    public static long Product(IReadOnlyList<long> dims, int from, int to)
    {
        long p = 1;
        for (int i = from; i < to; i++)
            p = checked(p * dims[i]);
        return p;
    }

    /// <summary>The dims as messages print them: "[1,3,224,224]", "[]" for a scalar.</summary>
    public static string Format(IReadOnlyList<long> dims) => "[" + string.Join(",", dims) + "]";
}
