using OnnxBn.Folding;
using OnnxBn.Runtime.Values;

namespace OnnxBn.Runtime.Verification;

/// <summary>Reads a run output as float64 values: exact for every type compared (float16 and float64 keep their precision).</summary>
internal static class OutputReader
{
    public static double[] ToDoubles(OrtValue value)
    {
        var result = new double[value.ElementCount];
        switch (value.ElementType)
        {
            case TensorElementType.Float: Widen(value.GetTensorDataAsSpan<float>(), result, f => f); break;
            case TensorElementType.Double: value.GetTensorDataAsSpan<double>().CopyTo(result); break;
            case TensorElementType.Float16: Widen(value.GetTensorDataAsSpan<Half>(), result, h => (double)h); break;
            case TensorElementType.BFloat16:
                var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(value.GetTensorBytes());
                Widen(bits, result, b => new BFloat16Bits(b).ToSingle());
                break;
            case TensorElementType.Int64: Widen(value.GetTensorDataAsSpan<long>(), result, x => x); break;
            case TensorElementType.Int32: Widen(value.GetTensorDataAsSpan<int>(), result, x => x); break;
            case TensorElementType.Int16: Widen(value.GetTensorDataAsSpan<short>(), result, x => x); break;
            case TensorElementType.Int8: Widen(value.GetTensorDataAsSpan<sbyte>(), result, x => x); break;
            case TensorElementType.UInt64: Widen(value.GetTensorDataAsSpan<ulong>(), result, x => x); break;
            case TensorElementType.UInt32: Widen(value.GetTensorDataAsSpan<uint>(), result, x => x); break;
            case TensorElementType.UInt16: Widen(value.GetTensorDataAsSpan<ushort>(), result, x => x); break;
            case TensorElementType.UInt8: Widen(value.GetTensorDataAsSpan<byte>(), result, x => x); break;
            case TensorElementType.Bool: Widen(value.GetTensorDataAsSpan<bool>(), result, x => x ? 1 : 0); break;
            default: throw new NotSupportedException($"{value.ElementType} outputs cannot be compared numerically.");
        }
        return result;
    }

    public static bool IsComparable(TensorElementType type) =>
        type is not (TensorElementType.Undefined or TensorElementType.String or TensorElementType.Complex64 or TensorElementType.Complex128);

    private static void Widen<T>(ReadOnlySpan<T> source, double[] destination, Func<T, double> convert)
    {
        for (var i = 0; i < destination.Length; i++)
            destination[i] = convert(source[i]);
    }
}
