namespace OnnxBn.Folding;

/// <summary>Element types of ONNX tensors, numbered as in the ONNX specification's TensorProto.DataType.</summary>
public enum OnnxDataType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    Complex64 = 14,
    Complex128 = 15,
    BFloat16 = 16,
    Float8E4M3FN = 17,
    Float8E4M3FNUZ = 18,
    Float8E5M2 = 19,
    Float8E5M2FNUZ = 20,
    UInt4 = 21,
    Int4 = 22,
    Float4E2M1 = 23,
}

/// <summary>Facts about element types that readers, writers and rules need.</summary>
public static class OnnxDataTypes
{
    /// <summary>Bytes one element occupies in raw_data, or 0 for strings and sub-byte types.</summary>
    public static int SizeInBytes(this OnnxDataType type) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
        OnnxDataType.Double or OnnxDataType.Int64 or OnnxDataType.UInt64 or OnnxDataType.Complex64 => 8,
        OnnxDataType.Complex128 => 16,
        OnnxDataType.Float16 or OnnxDataType.BFloat16 or OnnxDataType.Int16 or OnnxDataType.UInt16 => 2,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
        OnnxDataType.Float8E4M3FN or OnnxDataType.Float8E4M3FNUZ => 1,
        OnnxDataType.Float8E5M2 or OnnxDataType.Float8E5M2FNUZ => 1,
        _ => 0,
    };

    /// <summary>True for the types whose values the folding arithmetic reads and writes (float64 in between).</summary>
    public static bool IsFoldableFloat(this OnnxDataType type) =>
        type is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16 or OnnxDataType.BFloat16;

    /// <summary>The lower-case name ONNX and numpy users know (float32, float16, int64...).</summary>
    public static string DisplayName(this OnnxDataType type) => type switch
    {
        OnnxDataType.Float => "float32",
        OnnxDataType.Double => "float64",
        OnnxDataType.Float16 => "float16",
        OnnxDataType.BFloat16 => "bfloat16",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>The element type that stores the managed type <typeparamref name="T"/>; throws for other types.</summary>
    public static OnnxDataType Of<T>() where T : unmanaged
    {
        var type = TryOf<T>();
        return type != OnnxDataType.Undefined
            ? type
            : throw new NotSupportedException($"{typeof(T).Name} is not an ONNX tensor element type.");
    }

    /// <summary>The element type that stores <typeparamref name="T"/>, or <see cref="OnnxDataType.Undefined"/>.</summary>
    public static OnnxDataType TryOf<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return OnnxDataType.Float;
        if (typeof(T) == typeof(double)) return OnnxDataType.Double;
        if (typeof(T) == typeof(Half)) return OnnxDataType.Float16;
        if (typeof(T) == typeof(BFloat16Bits)) return OnnxDataType.BFloat16;
        if (typeof(T) == typeof(long)) return OnnxDataType.Int64;
        if (typeof(T) == typeof(int)) return OnnxDataType.Int32;
        if (typeof(T) == typeof(short)) return OnnxDataType.Int16;
        if (typeof(T) == typeof(ushort)) return OnnxDataType.UInt16;
        if (typeof(T) == typeof(sbyte)) return OnnxDataType.Int8;
        if (typeof(T) == typeof(byte)) return OnnxDataType.UInt8;
        if (typeof(T) == typeof(bool)) return OnnxDataType.Bool;
        if (typeof(T) == typeof(uint)) return OnnxDataType.UInt32;
        if (typeof(T) == typeof(ulong)) return OnnxDataType.UInt64;
        return OnnxDataType.Undefined;
    }
}
