using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Runtime.Tests.Benchmarking;

/// <summary>Percentiles and ratio spreads, with numbers worked by hand.</summary>
public sealed class StatisticsTests
{
    [Fact]
    public void Percentiles_Interpolate_Between_Ranks()
    {
        // sorted 1..10: position q·9 → p50 = 5.5, p90 = 9.1, p99 = 9.91
        var stats = LatencyStatistics.Of([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
        Assert.Equal(10, stats.Count);
        Assert.Equal(1, stats.Min);
        Assert.Equal(5.5, stats.P50, 12);
        Assert.Equal(9.1, stats.P90, 12);
        Assert.Equal(9.91, stats.P99, 12);
        Assert.Equal(10, stats.Max);
        Assert.Equal(5.5, stats.Mean, 12);
    }

    [Fact]
    public void One_Sample_Is_Every_Percentile()
    {
        var stats = LatencyStatistics.Of([2.5]);
        Assert.Equal([2.5, 2.5, 2.5, 2.5, 2.5], new[] { stats.Min, stats.P50, stats.P90, stats.P99, stats.Max });
    }

    [Fact]
    public void Empty_Samples_Are_Refused()
    {
        Assert.Throws<ArgumentException>(() => LatencyStatistics.Of([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyStatistics.Percentile([1.0], 1.5));
    }

    [Fact]
    public void Ratio_Is_The_Median_Of_Per_Pair_Ratios_Not_The_Ratio_Of_Medians()
    {
        // pairs (A,B): ratios 0.5, 0.5, 0.5, 2.0 (one pair hit by a stall on B) → median 0.5; Q1 0.5, Q3 0.875
        var ratio = RatioStatistics.OfPairs([2, 4, 8, 1], [1, 2, 4, 2]);
        Assert.Equal(4, ratio.Pairs);
        Assert.Equal(0.5, ratio.Median, 12);
        Assert.Equal(0.5, ratio.Q1, 12);
        Assert.Equal(0.875, ratio.Q3, 12);
        Assert.InRange(ratio.CiLow, 0.5, 0.5);
        Assert.InRange(ratio.CiHigh, 0.5, 2.0);
    }

    [Fact]
    public void Identical_Ratios_Have_A_Zero_Width_Interval()
    {
        var ratio = RatioStatistics.OfPairs([1, 2, 3, 4, 5], [0.42, 0.84, 1.26, 1.68, 2.1]);
        Assert.Equal(0.42, ratio.Median, 12);
        Assert.Equal(0.42, ratio.CiLow, 12);
        Assert.Equal(0.42, ratio.CiHigh, 12);
        Assert.True(ratio.IsClearlyBelow(0.5));
    }

    [Fact]
    public void Bootstrap_Is_Deterministic()
    {
        double[] a = [1, 1.1, 0.9, 1.2, 1.05, 0.95, 1.3], b = [0.5, 0.7, 0.4, 0.6, 0.55, 0.45, 0.9];
        Assert.Equal(RatioStatistics.OfPairs(a, b), RatioStatistics.OfPairs(a, b));
    }

    [Fact]
    public void Mismatched_Or_Nonpositive_Pairs_Are_Refused()
    {
        Assert.Throws<ArgumentException>(() => RatioStatistics.OfPairs([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => RatioStatistics.OfPairs([0], [1]));
        Assert.Throws<ArgumentException>(() => RatioStatistics.OfPairs([], []));
    }
}
