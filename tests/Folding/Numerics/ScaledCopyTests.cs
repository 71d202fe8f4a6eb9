using OnnxBn.Folding;
using OnnxBn.Folding.Numerics;

namespace OnnxBn.Folding.Tests.Numerics;

/// <summary>
/// The one-pass float32 weight scaling gives exactly the bits of the float64 path it replaced
/// (ToDoubleArray → ScaleAlong → FromDoubles), for every axis, for lengths off the vector width, and for weights
/// large enough to be split across threads.
/// </summary>
public sealed class ScaledCopyTests
{
    [Theory]
    [InlineData(new long[] { 5, 3, 3, 3 }, 0)]
    [InlineData(new long[] { 7, 13 }, 1)]
    [InlineData(new long[] { 4, 6, 11 }, 1)]
    [InlineData(new long[] { 64, 9 }, 0)]
    [InlineData(new long[] { 9, 21 }, 1)]
    [InlineData(new long[] { 3, 2, 16 }, 2)]
    // Above 1 MiB the rows are split across cores: slice boundaries must not change a bit.
    [InlineData(new long[] { 513, 3, 13, 13 }, 0)]
    [InlineData(new long[] { 601, 457 }, 1)]
    [InlineData(new long[] { 7, 301, 131 }, 1)]
    public void Float_Weights_Match_The_Float64_Path_Bit_For_Bit(long[] dims, int axis)
    {
        var random = new Random(17 + axis);
        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        var values = Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-6, 6)))).ToArray();
        var factors = Enumerable.Range(0, (int)dims[axis]).Select(_ => random.NextDouble() * 3 - 1.5).ToArray();
        var weight = TensorData.Create("w", dims, values);

        double[] wide = weight.ToDoubleArray();
        AxisScaling.ScaleAlong(wide, weight.Dims, axis, factors);
        var expected = TensorData.FromDoubles("", TensorElementType.Float, dims, wide);
        var actual = AxisScaling.ScaledCopy(weight, axis, factors);

        Assert.Equal(expected.RawBytes.ToArray(), actual.RawBytes.ToArray());
        Assert.Equal(dims, actual.Dims);
        Assert.Equal(values, weight.ToArray<float>()); // the source is not touched
    }

    [Fact]
    public void Other_Element_Types_Take_The_Float64_Path()
    {
        var weight = TensorData.Create("w", [2, 2], new Half[] { (Half)1, (Half)2, (Half)3, (Half)4 });
        var scaled = AxisScaling.ScaledCopy(weight, 0, [0.5, 2.0]);
        Assert.Equal(TensorElementType.Float16, scaled.ElementType);
        Assert.Equal(new Half[] { (Half)0.5, (Half)1, (Half)6, (Half)8 }, scaled.ToArray<Half>());
    }

    [Fact]
    public void Wrong_Factor_Count_Is_Refused() =>
        Assert.Throws<ArgumentException>(() => AxisScaling.ScaledCopy(TensorData.Create("w", [2, 3], new float[6]), 1, [1.0, 2.0]));
}
