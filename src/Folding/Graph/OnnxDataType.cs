namespace OnnxBn.Folding;

/// <summary>Element types of ONNX tensors, numbered as in the ONNX specification's TensorProto.DataType.</summary>
public enum OnnxDataType
{
    /// <summary>
    /// No element type: the field was not set (invalid for a tensor; <see cref="OnnxDataTypes.TryOf{T}"/> returns it
    /// for unsupported types).
    /// </summary>
    Undefined = 0,
    /// <summary>32-bit IEEE 754 float (<c>float32</c>, C# <see cref="float"/>).</summary>
    Float = 1,
    /// <summary>8-bit unsigned integer (C# <see cref="byte"/>).</summary>
    UInt8 = 2,
    /// <summary>8-bit signed integer (C# <see cref="sbyte"/>).</summary>
    Int8 = 3,
    /// <summary>16-bit unsigned integer (C# <see cref="ushort"/>).</summary>
    UInt16 = 4,
    /// <summary>16-bit signed integer (C# <see cref="short"/>).</summary>
    Int16 = 5,
    /// <summary>32-bit signed integer (C# <see cref="int"/>).</summary>
    Int32 = 6,
    /// <summary>
    /// 64-bit signed integer (C# <see cref="long"/>); the type of shapes and of Reshape's shape input.
    /// </summary>
    Int64 = 7,
    /// <summary>
    /// Variable-length UTF-8 strings, stored in string_data, never in raw_data (no fixed element size).
    /// </summary>
    String = 8,
    /// <summary>Boolean, one byte per element (0 or 1).</summary>
    Bool = 9,
    /// <summary>16-bit IEEE 754 half float (C# <see cref="Half"/>).</summary>
    Float16 = 10,
    /// <summary>64-bit IEEE 754 float (<c>float64</c>, C# <see cref="double"/>).</summary>
    Double = 11,
    /// <summary>32-bit unsigned integer (C# <see cref="uint"/>).</summary>
    UInt32 = 12,
    /// <summary>64-bit unsigned integer (C# <see cref="ulong"/>).</summary>
    UInt64 = 13,
    /// <summary>Complex number of two float32 (real, imaginary), 8 bytes.</summary>
    Complex64 = 14,
    /// <summary>Complex number of two float64 (real, imaginary), 16 bytes.</summary>
    Complex128 = 15,
    /// <summary>
    /// Brain float: the upper 16 bits of a float32 (8-bit exponent, 7-bit mantissa); C# <see cref="BFloat16Bits"/>.
    /// </summary>
    BFloat16 = 16,
    /// <summary>
    /// 8-bit float, 4 exponent and 3 mantissa bits, finite only (no infinities), one NaN pattern per sign (ONNX IR 9).
    /// </summary>
    Float8E4M3FN = 17,
    /// <summary>
    /// 8-bit float, 4 exponent and 3 mantissa bits, finite only, no negative zero (its pattern is the single NaN) (ONNX
    /// IR 9).
    /// </summary>
    Float8E4M3FNUZ = 18,
    /// <summary>
    /// 8-bit float, 5 exponent and 2 mantissa bits, with infinities and NaNs like IEEE half (ONNX IR 9).
    /// </summary>
    Float8E5M2 = 19,
    /// <summary>
    /// 8-bit float, 5 exponent and 2 mantissa bits, finite only, no negative zero (its pattern is the single NaN) (ONNX
    /// IR 9).
    /// </summary>
    Float8E5M2FNUZ = 20,
    /// <summary>4-bit unsigned integer, two elements packed per byte, low nibble first (ONNX IR 10).</summary>
    UInt4 = 21,
    /// <summary>4-bit signed integer, two elements packed per byte, low nibble first (ONNX IR 10).</summary>
    Int4 = 22,
    /// <summary>
    /// 4-bit float, 2 exponent and 1 mantissa bit, no infinities or NaNs, two elements packed per byte (ONNX IR 11).
    /// </summary>
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

    /// <summary>
    /// The element type that stores the managed type <typeparamref name="T"/>; throws for other types.
    /// </summary>
    public static OnnxDataType Of<T>() where T : unmanaged
    {
        var type = TryOf<T>();
        return type != OnnxDataType.Undefined
            ? type
            : throw new NotSupportedException($"{typeof(T).Name} is not an ONNX tensor element type.");
    }

    /// <summary>
    /// The element type that stores <typeparamref name="T"/>, or <see cref="OnnxDataType.Undefined"/>.
    /// </summary>
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
