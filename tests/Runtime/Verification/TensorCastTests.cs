using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>A file's values cast to the input's element type: rounding is told, overflow and range errors are refused.</summary>
public sealed class TensorCastTests
{
    [Fact]
    public void Float64_To_Float32_Reports_The_Largest_Rounding_Error()
    {
        double[] values = [0.1, 1.0 / 3, -2.5, 1e-3];
        var tensor = TensorData.Create("x", [4], values.AsSpan());

        var (cast, how) = TensorCast.To(tensor, OnnxDataType.Float, "x.npy");

        Assert.Equal(OnnxDataType.Float, cast.ElementType);
        Assert.Equal(values.Select(v => (float)v), cast.ToArray<float>());
        var expected = values.Max(v => Math.Abs((double)(float)v - v));
        Assert.Equal(expected, how.MaxRoundingError);
        Assert.True(how.MaxRoundingError > 0);
        Assert.Equal($"x.npy: float64 values cast to float32 for input 'x' (max rounding error {expected.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)})",
            how.ToString());
    }

    [Fact]
    public void Widening_Is_Exact()
    {
        var tensor = TensorData.Create("x", [2], new[] { 0.1f, 3f }.AsSpan());

        var (cast, how) = TensorCast.To(tensor, OnnxDataType.Double, "x.npy");

        Assert.Equal(new[] { (double)0.1f, 3.0 }, cast.ToArray<double>());
        Assert.Equal(0, how.MaxRoundingError);
        Assert.EndsWith("(exact)", how.ToString());
    }

    [Theory]
    [InlineData(OnnxDataType.Double, OnnxDataType.Float, 1e39)]
    [InlineData(OnnxDataType.Float, OnnxDataType.Float16, 70000.0)]
    [InlineData(OnnxDataType.Double, OnnxDataType.Float16, -1e6)]
    public void A_Finite_Value_That_Would_Overflow_To_Infinity_Is_Refused(OnnxDataType from, OnnxDataType to, double big)
    {
        var tensor = TensorData.FromDoubles("x", from, [3], [1.0, big, 2.0]);

        var error = Assert.Throws<InputMismatchException>(() => TensorCast.To(tensor, to, "x.npy"));

        Assert.StartsWith("x.npy: value ", error.Message);
        Assert.Contains($"at index 1 overflows {to.DisplayName()} input 'x'", error.Message);
    }

    [Fact]
    public void Infinity_And_NaN_In_The_File_Stay_What_They_Are()
    {
        var tensor = TensorData.Create("x", [3], new[] { double.PositiveInfinity, double.NaN, 0.5 }.AsSpan());

        var (cast, how) = TensorCast.To(tensor, OnnxDataType.Float, "x.npy");

        var values = cast.ToArray<float>();
        Assert.True(float.IsPositiveInfinity(values[0]));
        Assert.True(float.IsNaN(values[1]));
        Assert.Equal(0, how.MaxRoundingError);
    }

    [Fact]
    public void Int64_To_Int32_Casts_When_Every_Value_Fits()
    {
        var tensor = TensorData.Create("ids", [3], new long[] { -5, 0, int.MaxValue }.AsSpan());

        var (cast, how) = TensorCast.To(tensor, OnnxDataType.Int32, "ids.npy");

        Assert.Equal(new[] { -5, 0, int.MaxValue }, cast.ToArray<int>());
        Assert.Equal(0, how.MaxRoundingError);
    }

    [Theory]
    [InlineData(OnnxDataType.Int32, 3_000_000_000L)]
    [InlineData(OnnxDataType.UInt8, -1L)]
    [InlineData(OnnxDataType.UInt8, 256L)]
    public void An_Integer_Out_Of_The_Inputs_Range_Is_Refused(OnnxDataType to, long value)
    {
        var tensor = TensorData.Create("ids", [2], new long[] { 1, value }.AsSpan());

        var error = Assert.Throws<InputMismatchException>(() => TensorCast.To(tensor, to, "ids.npy"));

        Assert.Contains($"value {value} at index 1 does not fit {to.DisplayName()} input 'ids'", error.Message);
    }

    [Theory]
    [InlineData(OnnxDataType.Float, OnnxDataType.Int64)]
    [InlineData(OnnxDataType.Int64, OnnxDataType.Float)]
    [InlineData(OnnxDataType.Bool, OnnxDataType.UInt8)]
    public void Floats_And_Integers_Are_Not_Cast_Into_Each_Other(OnnxDataType from, OnnxDataType to)
    {
        var tensor = from switch
        {
            OnnxDataType.Int64 => TensorData.Create("x", [1], new long[] { 1 }.AsSpan()),
            OnnxDataType.Bool => TensorData.Create("x", [1], new[] { true }.AsSpan()),
            _ => TensorData.Create("x", [1], new[] { 1f }.AsSpan()),
        };

        var error = Assert.Throws<InputMismatchException>(() => TensorCast.To(tensor, to, "x.npy"));

        Assert.Equal($"x.npy: {from.DisplayName()} values cannot feed input 'x' of type {to.DisplayName()}.", error.Message);
    }
}
