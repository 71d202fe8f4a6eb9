using OnnxBn.Folding;
using OnnxBn.Runtime.Session;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Tests;

public sealed class OrtValueTests
{
    [Fact]
    public void Wraps_Caller_Memory_Without_Copying()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        using var value = OrtValue.CreateTensor(data, [2, 3]);
        Assert.Equal(TensorElementType.Float, value.ElementType);
        Assert.Equal([2L, 3L], value.Shape.ToArray());
        Assert.Equal(6, value.ElementCount);

        data[4] = 42;
        Assert.Equal(42, value.GetTensorDataAsSpan<float>()[4]);
        value.GetTensorMutableDataAsSpan<float>()[0] = -1;
        Assert.Equal(-1, data[0]);
    }

    [Fact]
    public void Rejects_A_Shape_That_Does_Not_Match_The_Buffer()
    {
        var ex = Assert.Throws<ArgumentException>(() => OrtValue.CreateTensor(new float[5], [2, 3]));
        Assert.Contains("[2,3] holds 6 elements but the buffer has 5", ex.Message);
    }

    [Fact]
    public void Allocates_Zeroed_Native_Tensors()
    {
        using var value = OrtValue.Allocate<long>([3, 2]);
        Assert.Equal(TensorElementType.Int64, value.ElementType);
        Assert.All(value.ToArray<long>(), v => Assert.Equal(0, v));
        value.GetTensorMutableDataAsSpan<long>()[5] = 7;
        Assert.Equal(7, value.ToArray<long>()[5]);
    }

    [Fact]
    public void Reading_With_The_Wrong_Element_Type_Throws()
    {
        using var value = OrtValue.Allocate<int>([2]);
        var ex = Assert.Throws<InvalidOperationException>(() => value.GetTensorDataAsSpan<float>().ToArray());
        Assert.Contains("holds Int32, not Single", ex.Message);
    }

    [Fact]
    public void Disposed_Values_Refuse_Access_And_Dispose_Twice_Is_Harmless()
    {
        var value = OrtValue.CreateTensor(new double[] { 1, 2 }, [2]);
        value.Dispose();
        value.Dispose();
        Assert.True(value.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => value.ToArray<double>());
    }

    [Fact]
    public void Scalars_Have_An_Empty_Shape_And_One_Element()
    {
        using var value = OrtValue.CreateTensor(new[] { 3.5f }, []);
        Assert.Equal(0, value.Shape.Length);
        Assert.Equal(3.5f, value.ToArray<float>().Single());
    }

    [Fact]
    public void Every_Supported_Element_Type_Round_Trips_Through_OnnxRuntime()
    {
        RoundTrip(new[] { 1.5f, -2f, 0f, 3f, 4f, 5f });
        RoundTrip(new[] { 1.5, -2, 0, 3, 4, 5e300 });
        RoundTrip(new[] { (Half)1.5f, (Half)(-2f), Half.Zero, (Half)3, (Half)4, (Half)5 });
        RoundTrip(new[] { 1L, -2L, long.MaxValue, 3, 4, long.MinValue });
        RoundTrip(new[] { 1, -2, int.MaxValue, 3, 4, int.MinValue });
        RoundTrip(new sbyte[] { 1, -2, 127, 3, 4, -128 });
        RoundTrip(new byte[] { 1, 2, 255, 3, 4, 0 });
        RoundTrip(new[] { true, false, true, true, false, false });
    }

    private static void RoundTrip<T>(T[] data) where T : unmanaged
    {
        var type = TensorElementTypes.Of<T>();
        using var session = new InferenceSession(TestModels.Identity((int)type));
        Assert.Equal(type, session.Inputs[0].ElementType);
        using var input = OrtValue.CreateTensor(data, [2, 3]);
        using var results = session.Run(new Dictionary<string, OrtValue> { ["X"] = input });
        Assert.Equal(type, results[0].ElementType);
        Assert.Equal(data, results["Y"].ToArray<T>());
    }
}
