using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OnnxBn.Folding.Numerics;

/// <summary>
/// A float32 weight with slice j along one axis multiplied by factors[j], computed when read: element e of the
/// row-major weight is multiplied by factors[(e / inner) mod n], where n is the axis length and inner the product of
/// the dims after it. Each element is widened to float64, multiplied and rounded back once, so the bits do not
/// depend on how the payload is split into pieces.
/// </summary>
internal sealed class ScaledPayload : DeferredPayload
{
    /// <summary>Below this size the whole payload is computed on the calling thread: scheduling would cost more than it saves.</summary>
    private const int ParallelMinBytes = 1 << 20;

    private readonly ReadOnlyMemory<byte> _source;
    private readonly double[] _factors;
    private readonly int _n;
    private readonly int _inner;

    /// <param name="source">The unscaled float32 payload; immutable (it may be shared with other tensors and models).</param>
    /// <param name="factors">One factor per slice along the axis (copied).</param>
    /// <param name="inner">Elements per slice: the product of the dims after the axis.</param>
    public ScaledPayload(ReadOnlyMemory<byte> source, ReadOnlySpan<double> factors, int inner)
    {
        _source = source;
        _factors = factors.ToArray();
        _n = factors.Length;
        _inner = inner;
    }

    public override int Length => _source.Length;

    public override int Granularity => sizeof(float);

    public override void CopyTo(long offset, Span<byte> destination)
    {
        if (offset % sizeof(float) != 0 || destination.Length % sizeof(float) != 0 || offset + destination.Length > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"piece [{offset}, +{destination.Length}) is not whole elements of {Length} bytes");
        var input = MemoryMarshal.Cast<byte, float>(_source.Span);
        var output = MemoryMarshal.Cast<byte, float>(destination);
        Scale(input, (int)(offset / sizeof(float)), output);
    }

    /// <summary>
    /// Split in two halves over both cores when large: a fresh target array is paged in on first write, and those
    /// page faults cost as much as the arithmetic; each thread takes the faults of its half.
    /// </summary>
    protected override byte[] Materialize()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(Length);
        int elements = Length / sizeof(float);
        int parts = bytes.Length < ParallelMinBytes ? 1 : Math.Min(Environment.ProcessorCount, elements);
        if (parts <= 1)
            CopyTo(0, bytes);
        else
            Parallel.For(0, parts, p =>
            {
                long from = (long)elements * p / parts, to = (long)elements * (p + 1) / parts;
                CopyTo(from * sizeof(float), bytes.AsSpan((int)(from * sizeof(float)), (int)((to - from) * sizeof(float))));
            });
        return bytes;
    }

    /// <summary>output[i] = input[first + i] scaled, in runs that share one factor (or, for inner = 1, one row of factors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Scale(ReadOnlySpan<float> input, int first, Span<float> output)
    {
        int end = first + output.Length;
        for (int e = first; e < end;)
        {
            if (_inner == 1)
            {
                // Scaling the last axis (Gemm weights [in, out]): a row of n elements takes the n factors in turn.
                int j = e % _n, length = Math.Min(_n - j, end - e);
                ScaleFloats(input.Slice(e, length), _factors.AsSpan(j, length), output.Slice(e - first, length));
                e += length;
            }
            else
            {
                int within = e % _inner, length = Math.Min(_inner - within, end - e);
                ScaleFloats(input.Slice(e, length), _factors[e / _inner % _n], output.Slice(e - first, length));
                e += length;
            }
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
}
