using OnnxBn.Folding;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Runtime.Tests;

public sealed class TensorDataInteropTests
{
    [Fact]
    public void Copies_Tensors_Both_Ways()
    {
        var tensor = TensorData.Create("x", [2, 2], new[] { 1f, 2f, 3f, 4f });
        using var value = TensorDataInterop.ToOrtValue(tensor);
        Assert.Equal(OnnxDataType.Float, value.ElementType());
        Assert.Equal([2L, 2L], value.Shape());
        var back = TensorDataInterop.ToTensorData(value, "y");
        Assert.Equal("y", back.Name);
        Assert.Equal(tensor.ToArray<float>(), back.ToArray<float>());
    }

    [Fact]
    public void Tensor_Protos_Feed_OnnxRuntime()
    {
        var proto = TensorData.Create("input_0", [1, 3], new[] { 1L, 2L, 3L }).ToTensorProtoBytes();
        var parsed = TensorData.ParseTensorProto(proto, "input_0.pb");
        using var value = TensorDataInterop.ToOrtValue(parsed);
        Assert.Equal([1L, 2L, 3L], value.ToArray<long>());
    }
}
