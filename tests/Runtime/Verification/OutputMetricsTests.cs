using OnnxBn.Folding;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>Each metric and tolerance edge case on hand-made arrays (no ONNX Runtime involved).</summary>
public sealed class OutputMetricsTests
{
    private static readonly Tolerance Default = Tolerance.Default;

    [Fact]
    public void Identical_Arrays_Pass_With_Zero_Errors_And_Cosine_One()
    {
        double[] a = [1, -2, 3, 4];
        var c = OutputComparison.Of("y", a, a, [2, 2], Default);
        Assert.True(c.Passed);
        Assert.Equal(0, c.MaxAbsError);
        Assert.Equal(0, c.MeanAbsError);
        Assert.Equal(1, c.CosineSimilarity, 12);
        Assert.Equal(4, c.Histogram.Counts[0]);
    }

    [Fact]
    public void Metrics_Match_Hand_Computed_Values()
    {
        double[] original = [1, 2, 4, 8];
        double[] candidate = [1, 2.5, 4, 7];
        var c = OutputComparison.Of("y", original, candidate, [2, 2], new Tolerance(0, 0));
        Assert.Equal(1.0, c.MaxAbsError);
        Assert.Equal(0.25, c.MaxRelError); // 0.5 / 2
        Assert.Equal(1.5 / 4, c.MeanAbsError);
        var dot = 1 + 5 + 16 + 56.0;
        var expectedCosine = dot / (Math.Sqrt(1 + 4 + 16 + 64) * Math.Sqrt(1 + 6.25 + 16 + 49));
        Assert.Equal(expectedCosine, c.CosineSimilarity, 12);
        Assert.Equal(2, c.Violations);
    }

    [Fact]
    public void Worst_Element_Is_Reported_As_Multi_Index_With_Both_Values()
    {
        var original = new double[2 * 3 * 4];
        var candidate = (double[])original.Clone();
        candidate[1 * 12 + 2 * 4 + 3] = 0.5; // index [1,2,3]
        candidate[0] = 1e-6; // within tolerance
        var c = OutputComparison.Of("y", original, candidate, [2, 3, 4], Default);
        Assert.Equal(OutputVerdict.ToleranceExceeded, c.Verdict);
        Assert.Equal([1L, 2, 3], c.Worst!.Index);
        Assert.Equal(0, c.Worst.Original);
        Assert.Equal(0.5, c.Worst.Candidate);
        Assert.Contains("[1,2,3]", c.Describe());
        Assert.Contains("candidate 0.5", c.Describe());
    }

    [Fact]
    public void Tolerance_Boundary_Is_Inclusive_And_Rtol_Scales_With_The_Original()
    {
        var tolerance = new Tolerance(0.5, 0.25);
        // allowed at b = 2: 0.5 + 0.25·2 = 1.0 (exactly representable)
        Assert.True(OutputComparison.Of("y", [2.0], [3.0], [1], tolerance).Passed);
        Assert.False(OutputComparison.Of("y", [2.0], [3.0000001], [1], tolerance).Passed);
        // rtol uses |original|, not |candidate|
        Assert.False(OutputComparison.Of("y", [0.0], [3.0], [1], tolerance).Passed);
    }

    [Fact]
    public void Relative_Error_Is_Infinite_When_Original_Is_Zero_And_Candidate_Is_Not()
    {
        var c = OutputComparison.Of("y", [0.0, 1], [1e-9, 1], [2], Default);
        Assert.True(c.Passed);
        Assert.Equal(double.PositiveInfinity, c.MaxRelError);
    }

    [Fact]
    public void Top1_Agreement_And_Top5_Overlap_For_Classifier_Rows()
    {
        // 2 rows of 6 classes: row 0 agrees on top-1 and shares its whole top-5, row 1 swaps its top-2 and
        // exchanges one top-5 member for the class outside it.
        double[] original = [0.9, 0.5, 0.4, 0.3, 0.2, 0.1, /**/ 0.1, 0.2, 0.3, 0.4, 0.5, 0.9];
        double[] candidate = [0.9, 0.5, 0.4, 0.3, 0.2, 0.1, /**/ 0.95, 0.2, 0.3, 0.05, 0.96, 0.9];
        var c = OutputComparison.Of("p", original, candidate, [2, 6], new Tolerance(1, 0));
        Assert.Equal(0.5, c.Top1Agreement);
        Assert.Equal((1.0 + 4.0 / 5) / 2, c.Top5Overlap!.Value, 12);
        Assert.Equal(2, c.Rows);
    }

    [Fact]
    public void Min_Top1_Fails_A_Classifier_Within_Tolerance()
    {
        double[] original = [0.5, 0.50001];
        double[] candidate = [0.50001, 0.5];
        var c = OutputComparison.Of("p", original, candidate, [1, 2], Default, minTop1: 1.0);
        Assert.Equal(OutputVerdict.Top1BelowMinimum, c.Verdict);
        Assert.Contains("top-1 agreement 0.00%", c.Describe());
    }

    [Fact]
    public void Non_Classifier_Outputs_Have_No_Top1()
    {
        var c = OutputComparison.Of("y", [1.0, 2, 3], [1.0, 2, 3], [3], Default);
        Assert.Null(c.Top1Agreement);
        Assert.Null(c.Top5Overlap);
    }

    [Fact]
    public void Nan_On_One_Side_Fails_And_Is_Pinpointed()
    {
        var c = OutputComparison.Of("y", [1.0, 2, 3], [1.0, double.NaN, 3], [3], Default);
        Assert.False(c.Passed);
        Assert.Equal(1, c.NanMismatches);
        Assert.Equal([1L], c.Worst!.Index);
        Assert.True(double.IsNaN(c.MaxAbsError));
        Assert.Equal(1, c.Histogram.Counts[^1]);
    }

    [Fact]
    public void Nan_On_Both_Sides_Fails_Unless_Nan_Equal()
    {
        double[] both = [double.NaN, 1];
        Assert.False(OutputComparison.Of("y", both, both, [2], Default).Passed);
        var equal = OutputComparison.Of("y", both, both, [2], Default, nanEqual: true);
        Assert.True(equal.Passed);
        Assert.Equal(0, equal.MaxAbsError);
    }

    [Fact]
    public void Nan_Equal_Does_Not_Excuse_A_Nan_On_One_Side()
    {
        Assert.False(OutputComparison.Of("y", [double.NaN], [0.0], [1], Default, nanEqual: true).Passed);
    }

    [Fact]
    public void Equal_Infinities_Pass_And_Different_Ones_Fail()
    {
        Assert.True(OutputComparison.Of("y", [double.PositiveInfinity, double.NegativeInfinity],
            [double.PositiveInfinity, double.NegativeInfinity], [2], Default).Passed);
        Assert.False(OutputComparison.Of("y", [double.PositiveInfinity], [double.NegativeInfinity], [1], Default).Passed);
        // rtol·|inf| is infinite: a finite candidate must still not pass against an infinite original
        var c = OutputComparison.Of("y", [double.PositiveInfinity], [1e30], [1], Default);
        Assert.False(c.Passed);
        Assert.Equal(double.PositiveInfinity, c.MaxAbsError);
    }

    [Fact]
    public void Denormals_Are_Compared_Without_Flushing_To_Zero()
    {
        var denormal = (double)1e-40f; // a float32 subnormal
        Assert.True(denormal > 0);
        Assert.True(OutputComparison.Of("y", [0.0], [denormal], [1], Default).Passed);
        var exact = OutputComparison.Of("y", [0.0, 0], [0.0, denormal], [2], new Tolerance(0, 0));
        Assert.False(exact.Passed);
        Assert.Equal([1L], exact.Worst!.Index);
        Assert.Equal(denormal, exact.MaxAbsError);
    }

    [Fact]
    public void Float64_Differences_Below_Float32_Resolution_Are_Seen()
    {
        // 1 + 1e-12 rounds to 1 in float32; compared in float64 it is a real difference.
        var c = OutputComparison.Of("y", [1.0], [1.0 + 1e-12], [1], new Tolerance(0, 0), elementType: OnnxDataType.Double);
        Assert.False(c.Passed);
        Assert.Equal(1e-12, c.MaxAbsError, 1e-15);
    }

    [Fact]
    public void Half_Precision_Outputs_Get_Their_Own_Default_Tolerance()
    {
        var options = new EquivalenceOptions();
        Assert.Equal(Tolerance.HalfPrecisionDefault, options.ToleranceFor("y", "y", OnnxDataType.Float16));
        Assert.Equal(Tolerance.Default, options.ToleranceFor("y", "y", OnnxDataType.Float));
        // one float16 ulp at 1.0 (2^-10) passes the float16 default and fails the float32 one
        var ulp = (double)BitConverter.UInt16BitsToHalf(0x3C01) - 1;
        Assert.True(OutputComparison.Of("y", [1.0], [1 + ulp], [1], Tolerance.HalfPrecisionDefault, elementType: OnnxDataType.Float16).Passed);
        Assert.False(OutputComparison.Of("y", [1.0], [1 + ulp], [1], Tolerance.Default, elementType: OnnxDataType.Float16).Passed);
    }

    [Fact]
    public void Per_Output_Tolerance_Overrides_The_Type_Default()
    {
        var options = new EquivalenceOptions { OutputTolerances = new Dictionary<string, Tolerance> { ["y"] = new(1, 0) } };
        Assert.Equal(new Tolerance(1, 0), options.ToleranceFor("y", null, OnnxDataType.Float16));
        Assert.Equal(Tolerance.Default, options.ToleranceFor("z", null, OnnxDataType.Float));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(1e-10, 1)]
    [InlineData(1e-9, 2)]
    [InlineData(5e-6, 5)]
    [InlineData(1e-5, 6)]
    [InlineData(0.099, 9)]
    [InlineData(0.1, 10)]
    [InlineData(12.0, 10)]
    [InlineData(double.NaN, 11)]
    [InlineData(double.PositiveInfinity, 11)]
    public void Histogram_Buckets_Are_Decades(double error, int bucket) =>
        Assert.Equal(bucket, ErrorHistogram.BucketOf(error));

    [Fact]
    public void Tolerance_Parses_Atol_And_Optional_Rtol()
    {
        Assert.Equal(new Tolerance(1e-3, 1e-4), Tolerance.Parse("1e-3", 1e-4));
        Assert.Equal(new Tolerance(1e-3, 0.5), Tolerance.Parse("1e-3:0.5", 1e-4));
        Assert.Throws<FormatException>(() => Tolerance.Parse("-1", 0));
        Assert.Throws<FormatException>(() => Tolerance.Parse("a:b", 0));
    }
}
