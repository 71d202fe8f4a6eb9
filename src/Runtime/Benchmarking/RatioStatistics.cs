namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// The spread of a B/A ratio measured in interleaved pairs: each pair ran A and B back to back, so machine drift
/// (other processes, frequency changes) hits both sides of a pair alike and mostly cancels in its ratio.
/// <see cref="Median"/> is the median of the per-pair ratios, <see cref="Q1"/>/<see cref="Q3"/> their interquartile
/// range, and <see cref="CiLow"/>/<see cref="CiHigh"/> a seeded 95 % percentile-bootstrap interval of that median.
/// </summary>
public sealed record RatioStatistics(int Pairs, double Median, double Q1, double Q3, double CiLow, double CiHigh)
{
    private const int BootstrapRounds = 1000;

    /// <summary>Ratios <c>b[i] / a[i]</c> of paired samples and their spread (deterministic: the bootstrap is seeded).</summary>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, or an A sample is not positive.</exception>
    public static RatioStatistics OfPairs(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"{a.Length} A samples but {b.Length} B samples.", nameof(b));
        if (a.IsEmpty)
            throw new ArgumentException("No pairs.", nameof(a));
        var ratios = new double[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            if (!(a[i] > 0))
                throw new ArgumentException($"Sample {i} of A is {a[i]}; ratios need positive times.", nameof(a));
            ratios[i] = b[i] / a[i];
        }
        return Of(ratios);
    }

    /// <summary>The spread of ratios already computed (the array is sorted in place).</summary>
    public static RatioStatistics Of(double[] ratios)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        if (ratios.Length == 0)
            throw new ArgumentException("No ratios.", nameof(ratios));
        Array.Sort(ratios);
        var (low, high) = BootstrapMedian(ratios);
        return new RatioStatistics(ratios.Length, LatencyStatistics.Percentile(ratios, 0.5),
            LatencyStatistics.Percentile(ratios, 0.25), LatencyStatistics.Percentile(ratios, 0.75), low, high);
    }

    /// <summary>True when the whole 95 % interval lies below <paramref name="threshold"/>.</summary>
    public bool IsClearlyBelow(double threshold) => CiHigh < threshold;

    private static (double Low, double High) BootstrapMedian(double[] sorted)
    {
        if (sorted.Length == 1)
            return (sorted[0], sorted[0]);
        var random = new Random(20240607);
        var medians = new double[BootstrapRounds];
        var resample = new double[sorted.Length];
        for (var round = 0; round < BootstrapRounds; round++)
        {
            for (var i = 0; i < resample.Length; i++)
                resample[i] = sorted[random.Next(sorted.Length)];
            Array.Sort(resample);
            medians[round] = LatencyStatistics.Percentile(resample, 0.5);
        }
        Array.Sort(medians);
        return (LatencyStatistics.Percentile(medians, 0.025), LatencyStatistics.Percentile(medians, 0.975));
    }
}
