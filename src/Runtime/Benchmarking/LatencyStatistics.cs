namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// Order statistics of a set of timings in milliseconds. Percentiles interpolate linearly between the two nearest
/// ranks (the "R-7" definition NumPy and Excel use), so p50 of an even-sized sample is the mean of the middle two.
/// </summary>
public sealed record LatencyStatistics(int Count, double Min, double P50, double P90, double P99, double Max, double Mean)
{
    /// <summary>Statistics of <paramref name="samples"/> (milliseconds, any order; the span is not modified).</summary>
    /// <exception cref="ArgumentException">There are no samples.</exception>
    public static LatencyStatistics Of(ReadOnlySpan<double> samples)
    {
        if (samples.IsEmpty)
            throw new ArgumentException("No samples.", nameof(samples));
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        var mean = 0.0;
        foreach (var s in sorted)
            mean += s;
        mean /= sorted.Length;
        return new LatencyStatistics(sorted.Length, sorted[0], Percentile(sorted, 0.50), Percentile(sorted, 0.90),
            Percentile(sorted, 0.99), sorted[^1], mean);
    }

    /// <summary>The <paramref name="quantile"/> (0..1) of an already sorted sample, interpolated between ranks.</summary>
    public static double Percentile(ReadOnlySpan<double> sorted, double quantile)
    {
        if (sorted.IsEmpty)
            throw new ArgumentException("No samples.", nameof(sorted));
        ArgumentOutOfRangeException.ThrowIfLessThan(quantile, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1.0);
        var position = quantile * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
