using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace OnnxBn.Runtime.Data;

/// <summary>
/// The bridge between the folding library's <see cref="TensorData"/> and ONNX Runtime's official
/// <see cref="OrtValue"/>. Both number element types as ONNX does (TensorProto.DataType), so the enums convert by value.
/// </summary>
public static class TensorDataInterop
{
    /// <summary>Wraps raw little-endian element bytes as a tensor of <paramref name="type"/> (the bytes are copied).</summary>
    /// <exception cref="NotSupportedException">The element type has no fixed size (string) or is not supported.</exception>
    public static TensorData FromRaw(string name, OnnxDataType type, long[] dims, ReadOnlySpan<byte> raw) => type switch
    {
        OnnxDataType.Float => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, float>(raw)),
        OnnxDataType.Double => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, double>(raw)),
        OnnxDataType.Float16 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, Half>(raw)),
        OnnxDataType.Int64 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, long>(raw)),
        OnnxDataType.Int32 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, int>(raw)),
        OnnxDataType.Int16 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, short>(raw)),
        OnnxDataType.Int8 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, sbyte>(raw)),
        OnnxDataType.UInt8 => TensorData.Create(name, dims, raw),
        OnnxDataType.UInt16 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, ushort>(raw)),
        OnnxDataType.UInt32 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, uint>(raw)),
        OnnxDataType.UInt64 => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, ulong>(raw)),
        OnnxDataType.Bool => TensorData.Create(name, dims, MemoryMarshal.Cast<byte, bool>(raw)),
        _ => throw new NotSupportedException($"Tensor '{name}': {type.DisplayName()} is not supported here."),
    };

    /// <summary>Copies <paramref name="tensor"/> into a new ONNX Runtime tensor (dispose it).</summary>
    /// <exception cref="NotSupportedException">The element type cannot be passed to ONNX Runtime this way.</exception>
    public static OrtValue ToOrtValue(TensorData tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var type = tensor.ElementType;
        if (OnnxDataTypes.SizeInBytes(type) == 0)
            throw new NotSupportedException($"Tensor '{tensor.Name}' of {tensor.ElementType.DisplayName()} cannot be passed to ONNX Runtime.");
        var value = Allocate(type, tensor.DimsArray());
        tensor.RawBytes.CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    /// <summary>A new zero-filled ONNX Runtime tensor of <paramref name="type"/> and <paramref name="shape"/> (dispose it).</summary>
    public static OrtValue Allocate(OnnxDataType type, long[] shape)
    {
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, (OrtElementType)(int)type, shape);
        value.GetTensorMutableRawData().Clear();
        return value;
    }

    /// <summary>Copies an ONNX Runtime tensor into a <see cref="TensorData"/> named <paramref name="name"/>.</summary>
    public static TensorData ToTensorData(OrtValue value, string name)
    {
        ArgumentNullException.ThrowIfNull(value);
        return FromRaw(name, value.ElementType(), value.Shape(), value.GetTensorMutableRawData());
    }

    /// <summary>The tensor's element type in the folding library's terms.</summary>
    public static OnnxDataType ElementType(this OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = value.GetTensorTypeAndShape();
        return (OnnxDataType)(int)info.ElementDataType;
    }

    /// <summary>The tensor's dimensions.</summary>
    public static long[] Shape(this OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = value.GetTensorTypeAndShape();
        return info.Shape;
    }

    /// <summary>"float32 [1,10]" for a tensor, or its kind for other values.</summary>
    public static string Describe(this OrtValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IsTensor ? $"{value.ElementType().DisplayName()} {FormatShape(value.Shape())}" : $"a {value.OnnxType} value";
    }

    /// <summary><c>[1,3,224,224]</c>.</summary>
    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(",", shape) + "]";
}
