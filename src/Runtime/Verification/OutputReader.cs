using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Runtime.Verification;

/// <summary>Reads a run output as float64 values: exact for every type compared (float16 and float64 keep their precision).</summary>
internal static class OutputReader
{
    public static double[] ToDoubles(OrtValue value)
    {
        var type = value.ElementType();
        var raw = value.GetTensorMutableRawData();
        var result = new double[OnnxBn.Folding.OnnxDataTypes.SizeInBytes(type) is var size and > 0 ? raw.Length / size : 0];
        switch (type)
        {
            case OnnxDataType.Float: Widen(Cast<float>(raw), result, f => f); break;
            case OnnxDataType.Double: Cast<double>(raw).CopyTo(result); break;
            case OnnxDataType.Float16: Widen(Cast<Half>(raw), result, h => (double)h); break;
            case OnnxDataType.BFloat16:
                var bits = Cast<ushort>(raw);
                Widen(bits, result, b => new BFloat16Bits(b).ToSingle());
                break;
            case OnnxDataType.Int64: Widen(Cast<long>(raw), result, x => x); break;
            case OnnxDataType.Int32: Widen(Cast<int>(raw), result, x => x); break;
            case OnnxDataType.Int16: Widen(Cast<short>(raw), result, x => x); break;
            case OnnxDataType.Int8: Widen(Cast<sbyte>(raw), result, x => x); break;
            case OnnxDataType.UInt64: Widen(Cast<ulong>(raw), result, x => x); break;
            case OnnxDataType.UInt32: Widen(Cast<uint>(raw), result, x => x); break;
            case OnnxDataType.UInt16: Widen(Cast<ushort>(raw), result, x => x); break;
            case OnnxDataType.UInt8: Widen(Cast<byte>(raw), result, x => x); break;
            case OnnxDataType.Bool: Widen(Cast<bool>(raw), result, x => x ? 1 : 0); break;
            default: throw new NotSupportedException($"{type} outputs cannot be compared numerically.");
        }
        return result;
    }

    public static bool IsComparable(OnnxDataType type) =>
        type is not (OnnxDataType.Undefined or OnnxDataType.String or OnnxDataType.Complex64 or OnnxDataType.Complex128);

    private static ReadOnlySpan<T> Cast<T>(Span<byte> raw) where T : struct =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(raw);

    private static void Widen<T>(ReadOnlySpan<T> source, double[] destination, Func<T, double> convert)
    {
        for (var i = 0; i < destination.Length; i++)
            destination[i] = convert(source[i]);
    }
}
