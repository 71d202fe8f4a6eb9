using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary><c>--check-error-stat</c>, <c>--error-quantile</c> and <c>--validate</c> on hand-made arrays.</summary>
public sealed class ErrorStatisticTests
{
    // 100 elements: 98 exact, two off by 1 (relative error 1): every statistic but max and the top quantiles is 0.
    private static (double[] Original, double[] Candidate) TwoOutliers()
    {
        var original = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        var candidate = (double[])original.Clone();
        candidate[10] += 1;
        candidate[70] += 1;
        return (original, candidate);
    }

    private static OutputComparison Check(ErrorStatistic statistic, double quantile = 0.99, bool validate = false)
    {
        var (original, candidate) = TwoOutliers();
        return OutputComparison.Of("y", original, candidate, [100], new Tolerance(1e-3, 1e-3),
            check: new ErrorCheck(statistic, quantile, validate));
    }

    [Fact]
    public void Elementwise_Fails_On_Any_Outlier()
    {
        var c = Check(ErrorStatistic.Elementwise);
        Assert.Equal(OutputVerdict.ToleranceExceeded, c.Verdict);
        Assert.Equal(2, c.Violations);
    }

    [Fact]
    public void Max_Fails_When_Both_Max_Abs_And_Max_Rel_Exceed()
    {
        var c = Check(ErrorStatistic.Max);
        Assert.False(c.Passed);
        Assert.Equal(1, c.StatisticAbsError);
        Assert.Contains("max abs error 1 > atol", c.Describe());
    }

    [Fact]
    public void Median_And_Low_Quantile_Pass_Despite_Outliers()
    {
        Assert.True(Check(ErrorStatistic.Median).Passed);
        Assert.Equal(0, Check(ErrorStatistic.Median).StatisticAbsError);
        Assert.True(Check(ErrorStatistic.Quantile, 0.97).Passed);
        Assert.False(Check(ErrorStatistic.Quantile, 0.99).Passed);
    }

    [Fact]
    public void Mean_Averages_The_Errors()
    {
        var c = Check(ErrorStatistic.Mean);
        Assert.Equal(0.02, c.StatisticAbsError, 12);
        Assert.Equal((1.0 / 11 + 1.0 / 71) / 100, c.StatisticRelError, 12);
        Assert.False(c.Passed); // 0.02 > 1e-3 and 1.05e-3 > 1e-3
    }

    [Fact]
    public void A_Statistic_Passes_When_Either_Its_Abs_Or_Its_Rel_Value_Is_Within()
    {
        var (original, candidate) = TwoOutliers();
        var c = OutputComparison.Of("y", original, candidate, [100], new Tolerance(0, 0.0011),
            check: new ErrorCheck(ErrorStatistic.Mean, 0.99, false));
        Assert.True(c.Passed);
    }

    [Fact]
    public void Validate_Fails_A_Tensor_With_NaN_Or_Infinity_Even_When_Both_Sides_Agree()
    {
        double[] values = [1, double.PositiveInfinity, double.NaN];
        var validated = OutputComparison.Of("y", values, values, [3], Tolerance.Default, nanEqual: true,
            check: new ErrorCheck(ErrorStatistic.Elementwise, 0.99, true));
        var plain = OutputComparison.Of("y", values, values, [3], Tolerance.Default, nanEqual: true);
        Assert.Equal(OutputVerdict.NonFinite, validated.Verdict);
        Assert.Equal(2, validated.NonFiniteOriginal);
        Assert.Contains("2 NaN/Inf element(s) in the original", validated.Describe());
        Assert.True(plain.Passed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    public void Quantile_Sketch_Is_Within_Its_Documented_Relative_Error(int seed)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, 20_000).Select(_ => Math.Exp(random.NextDouble() * 30 - 20)).ToArray();
        values[5] = 0;
        var sketch = new QuantileSketch();
        foreach (var v in values)
            sketch.Add(v);
        var sorted = values.Order().ToArray();
        foreach (var q in new[] { 0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0 })
        {
            var exact = sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
            var estimate = sketch.Quantile(q);
            Assert.True(Math.Abs(estimate - exact) <= Math.ScaleB(exact, -8),
                $"seed {seed}, q {q}: sketch {estimate}, exact {exact}");
        }
    }
}
