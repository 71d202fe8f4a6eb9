namespace OnnxBn.Runtime.Verification;

/// <summary>
/// Counts of absolute errors |a − b| per decade: exactly 0, below 1e-9, [1e-9, 1e-8), ..., [1e-2, 1e-1), at least
/// 1e-1, and non-finite (a NaN or infinity on one side only).
/// </summary>
public sealed class ErrorHistogram
{
    private static readonly double[] Edges = [1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1];

    /// <summary>The bucket labels, in order: <c>0</c>, <c>&lt;1e-9</c>, <c>1e-9..1e-8</c>, ..., <c>≥1e-1</c>, <c>NaN/Inf</c>.</summary>
    public static IReadOnlyList<string> Labels { get; } =
    [
        "0", "<1e-9", "1e-9..1e-8", "1e-8..1e-7", "1e-7..1e-6", "1e-6..1e-5", "1e-5..1e-4", "1e-4..1e-3",
        "1e-3..1e-2", "1e-2..1e-1", ">=1e-1", "NaN/Inf",
    ];

    private readonly long[] _counts = new long[Labels.Count];

    /// <summary>The count of each bucket, in the order of <see cref="Labels"/>.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>The number of errors counted.</summary>
    public long Total => _counts.Sum();

    /// <summary>The bucket an absolute error falls in.</summary>
    public static int BucketOf(double absError)
    {
        if (!double.IsFinite(absError))
            return Labels.Count - 1;
        if (absError == 0)
            return 0;
        var bucket = 1;
        while (bucket - 1 < Edges.Length && absError >= Edges[bucket - 1])
            bucket++;
        return bucket;
    }

    internal void Add(double absError) => _counts[BucketOf(absError)]++;

    internal void AddCount(int bucket, long count) => _counts[bucket] += count;
}
