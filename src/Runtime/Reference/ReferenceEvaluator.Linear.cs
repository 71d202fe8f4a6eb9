using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

// Gemm, MatMul (numpy semantics) and numpy-broadcast elementwise arithmetic.
public sealed partial class ReferenceEvaluator
{
    private static RefTensor Gemm(Node node, RefTensor a, RefTensor b, RefTensor? c)
    {
        bool transA = node.GetInt("transA", 0) != 0, transB = node.GetInt("transB", 0) != 0;
        double alpha = node.GetFloat("alpha", 1f), beta = node.GetFloat("beta", 1f);
        long m = transA ? a.Shape[1] : a.Shape[0], kA = transA ? a.Shape[0] : a.Shape[1];
        long kB = transB ? b.Shape[1] : b.Shape[0], n = transB ? b.Shape[0] : b.Shape[1];
        if (kA != kB)
            throw new ArgumentException($"Gemm '{node.DisplayName}': inner dims {kA} and {kB} differ.");
        var y = new double[m * n];
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++)
            {
                double acc = 0;
                for (long p = 0; p < kA; p++)
                {
                    double av = transA ? a.Data[p * m + i] : a.Data[i * kA + p];
                    double bv = transB ? b.Data[j * kB + p] : b.Data[p * n + j];
                    acc += av * bv;
                }
                y[i * n + j] = alpha * acc;
            }
        var result = RefTensor.Of([m, n], y);
        if (c is null) return result;
        var scaledC = Map(c, v => beta * v);
        return Binary(result, scaledC, (p, q) => p + q);
    }

    private static RefTensor MatMul(RefTensor a, RefTensor b)
    {
        // numpy: a 1-D operand gains a unit dim (prepended for a, appended for b) that is dropped afterwards.
        var a2 = a.Rank == 1 ? a.Reshaped(1, a.Shape[0]) : a;
        var b2 = b.Rank == 1 ? b.Reshaped(b.Shape[0], 1) : b;
        long m = a2.Shape[^2], k = a2.Shape[^1], n = b2.Shape[^1];
        if (b2.Shape[^2] != k)
            throw new ArgumentException($"MatMul: inner dims {k} and {b2.Shape[^2]} differ.");
        long[] batch = BroadcastShape(a2.Shape[..^2], b2.Shape[..^2]);
        int batchCount = RefTensor.ElementCount(batch);
        var y = new double[batchCount * m * n];
        var batchCoords = Coordinates(batch);
        for (int bi = 0; bi < batchCount; bi++)
        {
            long aBase = BroadcastOffset(batchCoords[bi], a2.Shape[..^2]) * m * k;
            long bBase = BroadcastOffset(batchCoords[bi], b2.Shape[..^2]) * k * n;
            for (long i = 0; i < m; i++)
                for (long j = 0; j < n; j++)
                {
                    double acc = 0;
                    for (long p = 0; p < k; p++)
                        acc += a2.Data[aBase + i * k + p] * b2.Data[bBase + p * n + j];
                    y[(bi * m + i) * n + j] = acc;
                }
        }
        var shape = new List<long>(batch);
        if (a.Rank != 1) shape.Add(m);
        if (b.Rank != 1) shape.Add(n);
        return RefTensor.Of([.. shape], y);
    }

    /// <summary>Elementwise <paramref name="f"/> with numpy multidirectional broadcasting.</summary>
    internal static RefTensor Binary(RefTensor a, RefTensor b, Func<double, double, double> f)
    {
        long[] shape = BroadcastShape(a.Shape, b.Shape);
        int count = RefTensor.ElementCount(shape);
        var y = new double[count];
        if (a.Shape.SequenceEqual(b.Shape))
        {
            for (int i = 0; i < count; i++) y[i] = f(a.Data[i], b.Data[i]);
            return RefTensor.Of(shape, y);
        }
        var coords = Coordinates(shape);
        for (int i = 0; i < count; i++)
            y[i] = f(a.Data[BroadcastOffset(coords[i], a.Shape)], b.Data[BroadcastOffset(coords[i], b.Shape)]);
        return RefTensor.Of(shape, y);
    }

    /// <summary>The numpy broadcast of two shapes (aligned at the right; a dim of 1 stretches).</summary>
    internal static long[] BroadcastShape(long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            long db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast.");
            shape[i] = da == 1 ? db : da;
        }
        return shape;
    }

    /// <summary>The row-major offset in a tensor of <paramref name="shape"/> that broadcasts to <paramref name="coord"/>.</summary>
    private static long BroadcastOffset(long[] coord, long[] shape)
    {
        long offset = 0;
        int shift = coord.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
            offset = offset * shape[i] + (shape[i] == 1 ? 0 : coord[i + shift]);
        return offset;
    }

    private static RefTensor Map(RefTensor x, Func<double, double> f) => RefTensor.Of(x.Shape, Array.ConvertAll(x.Data, v => f(v)));
}
