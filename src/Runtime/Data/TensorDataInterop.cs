using System.Runtime.InteropServices;
using OnnxBn.Folding;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Data;

/// <summary>Moves tensors between the folding library's <see cref="TensorData"/> and ONNX Runtime's <see cref="OrtValue"/>.</summary>
public static class TensorDataInterop
{
    /// <summary>A tensor built from raw little-endian bytes of <paramref name="type"/>.</summary>
    /// <exception cref="NotSupportedException">The element type has no fixed-size managed representation here.</exception>
    public static TensorData FromRaw(string name, TensorElementType type, long[] dims, ReadOnlySpan<byte> raw) => type switch
    {
        TensorElementType.Float => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, float>(raw)),
        TensorElementType.Double => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, double>(raw)),
        TensorElementType.Float16 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, Half>(raw)),
        TensorElementType.Int64 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, long>(raw)),
        TensorElementType.Int32 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, int>(raw)),
        TensorElementType.Int16 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, short>(raw)),
        TensorElementType.Int8 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, sbyte>(raw)),
        TensorElementType.UInt8 => TensorData.Create(name, dims, raw),
        TensorElementType.UInt16 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, ushort>(raw)),
        TensorElementType.UInt32 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, uint>(raw)),
        TensorElementType.UInt64 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, ulong>(raw)),
        TensorElementType.Bool => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, bool>(raw)),
        _ => throw new NotSupportedException($"Tensor '{name}': {type.DisplayName()} is not supported here."),
    };

    /// <summary>Copies a tensor into a new native ONNX Runtime value (dispose it).</summary>
    /// <exception cref="NotSupportedException">ONNX Runtime values of this element type are not supported here.</exception>
    public static OrtValue ToOrtValue(TensorData tensor)
    {
        var type = tensor.ElementType;
        if (TensorElementTypes.SizeInBytes(type) == 0 || type == TensorElementType.BFloat16)
            throw new NotSupportedException($"Tensor '{tensor.Name}' of {tensor.ElementType.DisplayName()} cannot be passed to ONNX Runtime.");
        var value = OrtValue.Allocate(type, tensor.DimsArray());
        tensor.RawBytes.CopyTo(value.GetTensorMutableBytes());
        return value;
    }

    /// <summary>Copies a tensor value out of ONNX Runtime as a <see cref="TensorData"/> called <paramref name="name"/>.</summary>
    public static TensorData ToTensorData(OrtValue value, string name) =>
        FromRaw(name, value.ElementType, value.Shape.ToArray(), value.GetTensorBytes());
}
