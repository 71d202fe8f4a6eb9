namespace OnnxBn.Runtime.Values;

/// <summary>
/// Tensor element types, numbered as ONNX's <c>TensorProto.DataType</c> and ONNX Runtime's
/// <c>ONNXTensorElementDataType</c> (the same numbering as <c>OnnxBn.Folding.TensorElementType</c>, so a cast converts).
/// </summary>
public enum OrtElementType
{
    /// <summary>Not a tensor or not known.</summary>
    Undefined = 0,
    /// <summary>32-bit IEEE float (<see cref="float"/>).</summary>
    Float = 1,
    /// <summary>Unsigned byte (<see cref="byte"/>).</summary>
    UInt8 = 2,
    /// <summary>Signed byte (<see cref="sbyte"/>).</summary>
    Int8 = 3,
    /// <summary><see cref="ushort"/>.</summary>
    UInt16 = 4,
    /// <summary><see cref="short"/>.</summary>
    Int16 = 5,
    /// <summary><see cref="int"/>.</summary>
    Int32 = 6,
    /// <summary><see cref="long"/>.</summary>
    Int64 = 7,
    /// <summary>UTF-8 strings (not supported by onnxbn's tensor helpers).</summary>
    String = 8,
    /// <summary>One byte per element, 0 or 1 (<see cref="bool"/>).</summary>
    Bool = 9,
    /// <summary>16-bit IEEE float (<see cref="Half"/>).</summary>
    Float16 = 10,
    /// <summary>64-bit IEEE float (<see cref="double"/>).</summary>
    Double = 11,
    /// <summary><see cref="uint"/>.</summary>
    UInt32 = 12,
    /// <summary><see cref="ulong"/>.</summary>
    UInt64 = 13,
    /// <summary>Two 32-bit floats.</summary>
    Complex64 = 14,
    /// <summary>Two 64-bit floats.</summary>
    Complex128 = 15,
    /// <summary>Brain float 16.</summary>
    BFloat16 = 16,
}

/// <summary>Maps CLR element types to <see cref="OrtElementType"/> and gives element sizes.</summary>
public static class OrtElementTypes
{
    /// <summary>The element type of <typeparamref name="T"/>, or throws for a type ONNX Runtime tensors cannot hold.</summary>
    public static OrtElementType Of<T>() where T : unmanaged
    {
        var type = TryOf<T>();
        return type != OrtElementType.Undefined
            ? type
            : throw new NotSupportedException($"{typeof(T).Name} is not a supported tensor element type.");
    }

    /// <summary>The element type of <typeparamref name="T"/>, or <see cref="OrtElementType.Undefined"/>.</summary>
    public static OrtElementType TryOf<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return OrtElementType.Float;
        if (typeof(T) == typeof(double)) return OrtElementType.Double;
        if (typeof(T) == typeof(Half)) return OrtElementType.Float16;
        if (typeof(T) == typeof(long)) return OrtElementType.Int64;
        if (typeof(T) == typeof(int)) return OrtElementType.Int32;
        if (typeof(T) == typeof(short)) return OrtElementType.Int16;
        if (typeof(T) == typeof(sbyte)) return OrtElementType.Int8;
        if (typeof(T) == typeof(byte)) return OrtElementType.UInt8;
        if (typeof(T) == typeof(ushort)) return OrtElementType.UInt16;
        if (typeof(T) == typeof(uint)) return OrtElementType.UInt32;
        if (typeof(T) == typeof(ulong)) return OrtElementType.UInt64;
        if (typeof(T) == typeof(bool)) return OrtElementType.Bool;
        return OrtElementType.Undefined;
    }

    /// <summary>Bytes per element, or 0 for types without a fixed size (strings, undefined).</summary>
    public static int SizeOf(OrtElementType type) => type switch
    {
        OrtElementType.Float or OrtElementType.Int32 or OrtElementType.UInt32 => 4,
        OrtElementType.Double or OrtElementType.Int64 or OrtElementType.UInt64 or OrtElementType.Complex64 => 8,
        OrtElementType.Complex128 => 16,
        OrtElementType.Float16 or OrtElementType.BFloat16 or OrtElementType.Int16 or OrtElementType.UInt16 => 2,
        OrtElementType.Int8 or OrtElementType.UInt8 or OrtElementType.Bool => 1,
        _ => 0,
    };

    /// <summary>The product of the dimensions (1 for a scalar); throws for negative dimensions or overflow.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
                throw new ArgumentException($"Shape [{string.Join(",", shape.ToArray())}] has a negative dimension.", nameof(shape));
            count = checked(count * dim);
        }
        return count;
    }

    /// <summary>Formats a shape as <c>[1,3,224,224]</c>.</summary>
    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(",", shape) + "]";
}
