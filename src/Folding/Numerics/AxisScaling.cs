using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    /// widened to float64, multiplied, rounded back once), but float32 weights take one pass with no float64 copy.
    /// That model-sized temporary (twice the weight's bytes, freshly paged in) dominated fold time and peak memory
    /// on large models.
    /// </summary>
    public static TensorData ScaledCopy(TensorData weight, int axis, ReadOnlySpan<double> factors)
    {
        if (weight.ElementType != TensorElementType.Float)
        {
            double[] w = weight.ToDoubleArray();
            ScaleAlong(w, weight.Dims, axis, factors);
            return TensorData.FromDoubles("", weight.ElementType, weight.DimsArray(), w);
        }
        long outer = ShapeMathProduct(weight.Dims, 0, axis), n = weight.Dims[axis], inner = ShapeMathProduct(weight.Dims, axis + 1, weight.Rank);
        if (factors.Length != n)
            throw new ArgumentException($"{factors.Length} factors for an axis of length {n}");
        var bytes = GC.AllocateUninitializedArray<byte>(weight.RawBytes.Length);
        var job = new ScaleJob(weight.PayloadMemory, bytes, factors.ToArray(), (int)n, (int)inner);
        // Rows are independent, so any split gives the same bits. On both cores: a fresh target array is paged in on
        // first write, and those page faults cost as much as the arithmetic; each thread takes the faults of its part.
        long rows = inner == 1 ? outer : outer * n;
        int parts = bytes.Length < ParallelMinBytes ? 1 : (int)Math.Min(Environment.ProcessorCount, rows);
        if (parts <= 1)
            job.Run(0, rows);
        else
            Parallel.For(0, parts, p => job.Run(rows * p / parts, rows * (p + 1) / parts));
        return new TensorData("", TensorElementType.Float, weight.DimsArray(), bytes, null, null);
    }

    /// <summary>Below this size a weight is scaled on the calling thread: scheduling would cost more than it saves.</summary>
    private const int ParallelMinBytes = 1 << 20;

    /// <summary>One float32 ScaledCopy: source payload, target array, and how rows map to factors.</summary>
    private sealed class ScaleJob(ReadOnlyMemory<byte> source, byte[] target, double[] factors, int n, int inner)
    {
        /// <summary>
        /// Scales rows [<paramref name="from"/>, <paramref name="to"/>): rows of n elements with one factor each
        /// (inner == 1, scaling the last axis as in Gemm weights [in, out]), else slices of inner elements sharing
        /// factors[row mod n].
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(long from, long to)
        {
            var input = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(source.Span);
            var output = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(target.AsSpan());
            if (inner == 1)
            {
                for (long row = from; row < to; row++)
                    ScaleFloats(input.Slice((int)(row * n), n), factors, output.Slice((int)(row * n), n));
                return;
            }
            for (long slice = from; slice < to; slice++)
                ScaleFloats(input.Slice((int)(slice * inner), inner), factors[(int)(slice % n)], output.Slice((int)(slice * inner), inner));
        }
    }

    /// <summary>
    /// to[i] = (float)((double)from[i] · factor). The vector path widens to float64, multiplies and narrows with
    /// round-to-nearest exactly like the scalar cast, so both give the same bits. Compiled optimized from the first
    /// call: tiered compilation starts with unoptimized code in which Vector256 operations are method calls, and a
    /// fresh `onnxbn fold` process scaled its weights several times slower until the kernels were recompiled.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleFloats(ReadOnlySpan<float> from, double factor, Span<float> to)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var f = Vector256.Create(factor);
            for (; i <= from.Length - 8; i += 8)
            {
                var (lower, upper) = Vector256.Widen(Vector256.Create(from.Slice(i, 8)));
                Vector256.Narrow(lower * f, upper * f).CopyTo(to.Slice(i, 8));
            }
        }
        for (; i < from.Length; i++)
            to[i] = (float)(from[i] * factor);
    }

    /// <summary>to[i] = (float)((double)from[i] · factors[i]), with the same vector/scalar equivalence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleFloats(ReadOnlySpan<float> from, ReadOnlySpan<double> factors, Span<float> to)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= from.Length - 8; i += 8)
            {
                var (lower, upper) = Vector256.Widen(Vector256.Create(from.Slice(i, 8)));
                Vector256.Narrow(lower * Vector256.Create(factors.Slice(i, 4)), upper * Vector256.Create(factors.Slice(i + 4, 4)))
                    .CopyTo(to.Slice(i, 8));
            }
        }
        for (; i < from.Length; i++)
            to[i] = (float)(from[i] * factors[i]);
    }

    /// <summary>The values repeated to <paramref name="length"/> when there is one, else the values as they are.</summary>
    public static double[] Broadcast(ReadOnlySpan<double> values, int length) =>
        values.Length == length ? values.ToArray() : values.Length == 1 ? Enumerable.Repeat(values[0], length).ToArray()
            : throw new ArgumentException($"{values.Length} values cannot broadcast to {length}");

    private static long ShapeMathProduct(IReadOnlyList<long> dims, int from, int to) => ShapeMath.Product(dims, from, to);
}
