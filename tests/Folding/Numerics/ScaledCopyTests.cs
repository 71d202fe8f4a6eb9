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
        var expected = TensorData.FromDoubles("", OnnxDataType.Float, dims, wide);
        var actual = AxisScaling.ScaledCopy(weight, axis, factors);

        Assert.Equal(expected.RawBytes.ToArray(), actual.RawBytes.ToArray());
        Assert.Equal(dims, actual.Dims);
        Assert.Equal(values, weight.ToArray<float>()); // the source is not touched
    }

    [Theory]
    [InlineData(new long[] { 5, 3, 3, 3 }, 0)]
    [InlineData(new long[] { 7, 13 }, 1)]
    [InlineData(new long[] { 3, 2, 16 }, 2)]
    [InlineData(new long[] { 9, 21, 5 }, 1)]
    public void Float_Weights_Computed_In_Pieces_Equal_The_Whole(long[] dims, int axis)
    {
        var random = new Random(29 + axis);
        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        var weight = TensorData.Create("w", dims, Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray());
        var factors = Enumerable.Range(0, (int)dims[axis]).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        var deferred = AxisScaling.ScaledCopy(weight, axis, factors).PendingPayload!;

        var pieces = new byte[deferred.Length];
        for (int offset = 0; offset < pieces.Length;)
        {
            // Pieces of 1 to 40 elements: they start and end anywhere inside a slice or a row of factors.
            int length = Math.Min(pieces.Length - offset, random.Next(1, 41) * sizeof(float));
            deferred.CopyTo(offset, pieces.AsSpan(offset, length));
            offset += length;
        }

        Assert.Equal(deferred.Bytes, pieces);
    }

    [Fact]
    public void Float_Weights_Are_Computed_Only_When_First_Read()
    {
        var weight = TensorData.Create("w", [4, 3], Enumerable.Range(0, 12).Select(i => (float)i).ToArray());

        var scaled = AxisScaling.ScaledCopy(weight, 0, [1, 2, 3, 4]);

        Assert.NotNull(scaled.PendingPayload);
        Assert.Equal(48, scaled.PayloadLength);
        Assert.Equal(new float[] { 0, 1, 2, 6, 8, 10, 18, 21, 24, 36, 40, 44 }, scaled.ToArray<float>());
        Assert.Null(scaled.PendingPayload);
    }

    [Fact]
    public void A_Piece_That_Splits_An_Element_Is_Refused()
    {
        var deferred = AxisScaling.ScaledCopy(TensorData.Create("w", [2, 3], new float[6]), 1, [1.0, 2.0, 3.0]).PendingPayload!;

        Assert.Throws<ArgumentOutOfRangeException>(() => deferred.CopyTo(2, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => deferred.CopyTo(0, new byte[6]));
        Assert.Throws<ArgumentOutOfRangeException>(() => deferred.CopyTo(20, new byte[8]));
    }

    [Fact]
    public void Other_Element_Types_Take_The_Float64_Path()
    {
        var weight = TensorData.Create("w", [2, 2], new Half[] { (Half)1, (Half)2, (Half)3, (Half)4 });
        var scaled = AxisScaling.ScaledCopy(weight, 0, [0.5, 2.0]);
        Assert.Equal(OnnxDataType.Float16, scaled.ElementType);
        Assert.Equal(new Half[] { (Half)0.5, (Half)1, (Half)6, (Half)8 }, scaled.ToArray<Half>());
    }

    [Fact]
    public void Wrong_Factor_Count_Is_Refused() =>
        Assert.Throws<ArgumentException>(() => AxisScaling.ScaledCopy(TensorData.Create("w", [2, 3], new float[6]), 1, [1.0, 2.0]));
}
