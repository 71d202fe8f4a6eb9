using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Initializer payloads of every element type the folding layer reads, from raw_data and typed fields.</summary>
public sealed class TypedTensorTests
{
    [Fact]
    public void Raw_Data_Round_Trips_Every_Element_Type()
    {
        AssertRawRoundTrip([1.5f, -2.25f, float.MaxValue], OnnxDataType.Float);
        AssertRawRoundTrip([1.5, -2.25, double.Epsilon], OnnxDataType.Double);
        AssertRawRoundTrip([(Half)1.5, (Half)(-2.25), Half.MaxValue], OnnxDataType.Float16);
        AssertRawRoundTrip([new BFloat16Bits(0x3FC0), new BFloat16Bits(0xC010), new BFloat16Bits(0x7F7F)], OnnxDataType.BFloat16);
        AssertRawRoundTrip([long.MinValue, -1L, long.MaxValue], OnnxDataType.Int64);
        AssertRawRoundTrip([int.MinValue, -1, int.MaxValue], OnnxDataType.Int32);
        AssertRawRoundTrip([sbyte.MinValue, (sbyte)-1, sbyte.MaxValue], OnnxDataType.Int8);
        AssertRawRoundTrip([(byte)0, (byte)1, byte.MaxValue], OnnxDataType.UInt8);
        AssertRawRoundTrip([true, false, true], OnnxDataType.Bool);
        AssertRawRoundTrip([0UL, 1UL, ulong.MaxValue], OnnxDataType.UInt64);
    }

    [Fact]
    public void Raw_Data_Converts_To_Doubles_For_Every_Numeric_Type()
    {
        Assert.Equal([1.5, -2.25], Raw([1.5f, -2.25f]).ToDoubleArray());
        Assert.Equal([1.5, -2.25], Raw([(Half)1.5, (Half)(-2.25)]).ToDoubleArray());
        Assert.Equal([1.5, -2.25], Raw([new BFloat16Bits(0x3FC0), new BFloat16Bits(0xC010)]).ToDoubleArray());
        Assert.Equal([-3.0, 7], Raw([-3L, 7L]).ToDoubleArray());
        Assert.Equal([-3.0, 7], Raw([-3, 7]).ToDoubleArray());
        Assert.Equal([-128.0, 127], Raw([sbyte.MinValue, sbyte.MaxValue]).ToDoubleArray());
        Assert.Equal([0.0, 255], Raw([(byte)0, byte.MaxValue]).ToDoubleArray());
        Assert.Equal([1.0, 0], Raw([true, false]).ToDoubleArray());
    }

    [Fact]
    public void Reads_Float_Data_Field() =>
        Assert.Equal([1.5f, -2f], Typed(OnnxDataType.Float, p => p.FloatData.Add([1.5f, -2f])).ToArray<float>());

    [Fact]
    public void Reads_Double_Data_Field() =>
        Assert.Equal([1.5, -2.0], Typed(OnnxDataType.Double, p => p.DoubleData.Add([1.5, -2.0])).ToArray<double>());

    [Fact]
    public void Reads_Int64_Data_Field() =>
        Assert.Equal([long.MinValue, 5L], Typed(OnnxDataType.Int64, p => p.Int64Data.Add([long.MinValue, 5L])).ToArray<long>());

    [Fact]
    public void Reads_Int32_Data_Field() =>
        Assert.Equal([int.MinValue, 5], Typed(OnnxDataType.Int32, p => p.Int32Data.Add([int.MinValue, 5])).ToArray<int>());

    [Fact]
    public void Reads_Int8_From_Int32_Data_Field() =>
        Assert.Equal([(sbyte)-128, (sbyte)-3, (sbyte)127], Typed(OnnxDataType.Int8, p => p.Int32Data.Add([-128, -3, 127])).ToArray<sbyte>());

    [Fact]
    public void Reads_UInt8_From_Int32_Data_Field() =>
        Assert.Equal([(byte)0, (byte)200, (byte)255], Typed(OnnxDataType.UInt8, p => p.Int32Data.Add([0, 200, 255])).ToArray<byte>());

    [Fact]
    public void Reads_Bool_From_Int32_Data_Field() =>
        Assert.Equal([true, false, true], Typed(OnnxDataType.Bool, p => p.Int32Data.Add([1, 0, 1])).ToArray<bool>());

    [Fact]
    public void Reads_Float16_Bits_From_Int32_Data_Field()
    {
        Half[] values = [(Half)1.5, (Half)(-2.25), Half.MaxValue];
        var tensor = Typed(OnnxDataType.Float16, p => p.Int32Data.Add(values.Select(h => (int)BitConverter.HalfToUInt16Bits(h))));

        Assert.Equal(values, tensor.ToArray<Half>());
    }

    [Fact]
    public void Reads_BFloat16_Bits_From_Int32_Data_Field()
    {
        var tensor = Typed(OnnxDataType.BFloat16, p => p.Int32Data.Add([0x3FC0, 0xC010]));

        Assert.Equal([1.5, -2.25], tensor.ToDoubleArray());
    }

    [Fact]
    public void Reads_UInt64_Data_Field() =>
        Assert.Equal([0UL, ulong.MaxValue], Typed(OnnxDataType.UInt64, p => p.Uint64Data.Add([0UL, ulong.MaxValue])).ToArray<ulong>());

    [Fact]
    public void Typed_Field_Tensor_Is_Written_Back_As_It_Was_Read()
    {
        var proto = Header(OnnxDataType.Float);
        proto.FloatData.Add([1.5f, -2f]);
        proto.Dims[0] = 2;

        var tensor = TensorData.ParseTensorProto(proto.ToByteArray(), "t.pb");

        Assert.Equal(proto, TensorProto.Parser.ParseFrom(tensor.ToTensorProtoBytes()));
    }

    [Fact]
    public void Asking_For_Another_Element_Type_Is_Refused()
    {
        var tensor = Raw([1.5f, 2f]);

        var error = Assert.Throws<InvalidOperationException>(() => tensor.ToArray<double>());
        Assert.Contains("float32", error.Message);
    }

    // Each value lies just above the midpoint between two neighbours of the target type, by less than a float32
    // ulp: rounding through float32 first would land exactly on the midpoint and wrongly round to even (down).
    [Theory]
    [InlineData(1 + (1.0 / 2048) + (1.0 / 1099511627776), 1 + (1.0 / 1024))]
    [InlineData(1 + (1.0 / 2048), 1.0)]
    [InlineData(1 + 3 * (1.0 / 2048), 1 + (1.0 / 512))]
    [InlineData(-(1 + (1.0 / 2048) + (1.0 / 1099511627776)), -(1 + (1.0 / 1024)))]
    [InlineData(70000.0, double.PositiveInfinity)]
    public void FromDoubles_Rounds_To_Nearest_Even_Float16(double value, double expected)
    {
        var tensor = TensorData.FromDoubles("h", OnnxDataType.Float16, [1], [value]);

        Assert.Equal(expected, tensor.ToDoubleArray()[0]);
    }

    [Theory]
    [InlineData(1 + (1.0 / 256) + (1.0 / 1073741824), 1 + (1.0 / 128))]
    [InlineData(1 + (1.0 / 256), 1.0)]
    [InlineData(1 + 3 * (1.0 / 256), 1 + (1.0 / 64))]
    [InlineData(-(1 + (1.0 / 256) + (1.0 / 1073741824)), -(1 + (1.0 / 128)))]
    [InlineData(1 + (1.0 / 256) - (1.0 / 1073741824), 1.0)]
    [InlineData(1e39, double.PositiveInfinity)]
    public void FromDoubles_Rounds_To_Nearest_Even_BFloat16(double value, double expected)
    {
        var tensor = TensorData.FromDoubles("b", OnnxDataType.BFloat16, [1], [value]);

        Assert.Equal(expected, tensor.ToDoubleArray()[0]);
    }

    [Fact]
    public void FromDoubles_Keeps_NaN_In_Every_Float_Type()
    {
        foreach (var type in new[] { OnnxDataType.Float, OnnxDataType.Double, OnnxDataType.Float16, OnnxDataType.BFloat16 })
            Assert.True(double.IsNaN(TensorData.FromDoubles("n", type, [1], [double.NaN]).ToDoubleArray()[0]), type.ToString());
    }

    [Fact]
    public void FromDoubles_Rounds_To_Float32_And_Keeps_Float64()
    {
        Assert.Equal([(float)0.1], TensorData.FromDoubles("f", OnnxDataType.Float, [1], [0.1]).ToArray<float>());
        Assert.Equal([0.1], TensorData.FromDoubles("d", OnnxDataType.Double, [1], [0.1]).ToArray<double>());
    }

    [Fact]
    public void Create_Refuses_Values_That_Do_Not_Fill_The_Dims()
    {
        Assert.Throws<ArgumentException>(() => TensorData.Create("t", [2, 2], [1f, 2f, 3f]));
    }

    private static void AssertRawRoundTrip<T>(T[] values, OnnxDataType expectedType) where T : unmanaged
    {
        var tensor = TensorData.ParseTensorProto(TensorData.Create("t", [values.Length], values.AsSpan()).ToTensorProtoBytes(), "t.pb");

        Assert.Equal(expectedType, tensor.ElementType);
        Assert.Equal([values.Length], tensor.Dims);
        Assert.Equal(values, tensor.ToArray<T>());
        Assert.Equal(values, tensor.AsSpan<T>().ToArray());
    }

    private static TensorData Raw<T>(T[] values) where T : unmanaged =>
        TensorData.ParseTensorProto(TensorData.Create("t", [values.Length], values.AsSpan()).ToTensorProtoBytes(), "t.pb");

    private static TensorData Typed(OnnxDataType type, Action<TensorProto> fill)
    {
        var proto = Header(type);
        fill(proto);
        proto.Dims[0] = Math.Max(Math.Max(proto.FloatData.Count, proto.DoubleData.Count),
            Math.Max(Math.Max(proto.Int32Data.Count, proto.Int64Data.Count), proto.Uint64Data.Count));
        return TensorData.ParseTensorProto(proto.ToByteArray(), "t.pb");
    }

    private static TensorProto Header(OnnxDataType type)
    {
        var proto = new TensorProto { Name = "t", DataType = (int)type };
        proto.Dims.Add(0);
        return proto;
    }
}
