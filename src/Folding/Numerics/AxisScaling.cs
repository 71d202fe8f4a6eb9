namespace OnnxBn.Folding.Numerics;

/// <summary>Per-slice arithmetic on row-major float64 arrays and weight tensors: the kernels every fold's weight update is made of.</summary>
internal static class AxisScaling
{
    /// <summary>data[..., j, ...] *= factors[j] along <paramref name="axis"/>.</summary>
    public static void ScaleAlong(Span<double> data, IReadOnlyList<long> dims, int axis, ReadOnlySpan<double> factors)
    {
        long outer = ShapeMathProduct(dims, 0, axis), n = dims[axis], inner = ShapeMathProduct(dims, axis + 1, dims.Count);
        if (factors.Length != n)
            throw new ArgumentException($"{factors.Length} factors for an axis of length {n}");
        int offset = 0;
        for (long o = 0; o < outer; o++)
            for (int j = 0; j < n; j++)
            {
                var slice = data.Slice(offset, (int)inner);
                System.Numerics.Tensors.TensorPrimitives.Multiply(slice, factors[j], slice);
                offset += (int)inner;
            }
    }

    /// <summary>
    /// <paramref name="weight"/> with slice j along <paramref name="axis"/> multiplied by factors[j], in the weight's
    /// own element type: the same numbers as ToDoubleArray → <see cref="ScaleAlong"/> → FromDoubles (each element
    /// widened to float64, multiplied, rounded back once). Float32 weights (nearly every weight byte of a real model)
    /// come back deferred (<see cref="ScaledPayload"/>): no float64 copy and no model-sized block of fresh memory;
    /// saving streams the scaled bytes to the file, and any other reader gets them computed once.
    /// </summary>
    public static TensorData ScaledCopy(TensorData weight, int axis, ReadOnlySpan<double> factors)
    {
        if (weight.ElementType != OnnxDataType.Float)
        {
            double[] w = weight.ToDoubleArray();
            ScaleAlong(w, weight.Dims, axis, factors);
            return TensorData.FromDoubles("", weight.ElementType, weight.DimsArray(), w);
        }
        long n = weight.Dims[axis], inner = ShapeMathProduct(weight.Dims, axis + 1, weight.Rank);
        if (factors.Length != n)
            throw new ArgumentException($"{factors.Length} factors for an axis of length {n}");
        return new TensorData("", OnnxDataType.Float, weight.DimsArray(), new ScaledPayload(weight.PayloadMemory, factors, (int)inner));
    }

    /// <summary>The values repeated to <paramref name="length"/> when there is one, else the values as they are.</summary>
    public static double[] Broadcast(ReadOnlySpan<double> values, int length) =>
        values.Length == length ? values.ToArray() : values.Length == 1 ? Enumerable.Repeat(values[0], length).ToArray()
            : throw new ArgumentException($"{values.Length} values cannot broadcast to {length}");

    private static long ShapeMathProduct(IReadOnlyList<long> dims, int from, int to) => ShapeMath.Product(dims, from, to);
}
