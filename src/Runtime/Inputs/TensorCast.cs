using System.Globalization;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Inputs;

/// <summary>
/// Casts a tensor read from a file to the element type of the input it feeds, when nothing is lost but rounding:
/// between float types (float64, float32, float16, bfloat16) unless a finite value overflows to infinity, and between
/// integer types when every value fits. Everything else (floats for an integer input, integers for a float input,
/// booleans) is refused: those need a decision (scaling, rounding) only the user can make.
/// </summary>
internal static class TensorCast
{
    /// <summary>The tensor as <paramref name="target"/>, and what the cast cost.</summary>
    /// <exception cref="InputMismatchException">The cast is not allowed or a value does not fit.</exception>
    public static (TensorData Tensor, InputCast Cast) To(TensorData tensor, OnnxDataType target, string origin)
    {
        if (tensor.ElementType.IsFoldableFloat() && target.IsFoldableFloat())
            return Floats(tensor, target, origin);
        if (IntegerRange(tensor.ElementType) is not null && IntegerRange(target) is { } range)
            return Integers(tensor, target, range, origin);
        throw new InputMismatchException(
            $"{origin}: {tensor.ElementType.DisplayName()} values cannot feed input '{tensor.Name}' of type {target.DisplayName()}.");
    }

    private static (TensorData, InputCast) Floats(TensorData tensor, OnnxDataType target, string origin)
    {
        var values = tensor.ToDoubleArray();
        var cast = TensorData.FromDoubles(tensor.Name, target, tensor.DimsArray(), values);
        var rounded = cast.ToDoubleArray();
        var maxError = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            if (double.IsFinite(values[i]) && !double.IsFinite(rounded[i]))
                throw new InputMismatchException(string.Create(CultureInfo.InvariantCulture,
                    $"{origin}: value {values[i]:G6} at index {i} overflows {target.DisplayName()} input '{tensor.Name}'; " +
                    $"scale the data or feed a {tensor.ElementType.DisplayName()} input."));
            if (double.IsFinite(values[i]))
                maxError = Math.Max(maxError, Math.Abs(rounded[i] - values[i]));
        }
        return (cast, new InputCast(tensor.Name, origin, tensor.ElementType, target, maxError));
    }

    private static (TensorData, InputCast) Integers(TensorData tensor, OnnxDataType target, (Int128 Min, Int128 Max) range,
        string origin)
    {
        var values = Read(tensor);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < range.Min || values[i] > range.Max)
                throw new InputMismatchException(
                    $"{origin}: value {values[i]} at index {i} does not fit {target.DisplayName()} input '{tensor.Name}' " +
                    $"([{range.Min}, {range.Max}]).");
        }
        var dims = tensor.DimsArray();
        var cast = target switch
        {
            OnnxDataType.Int64 => TensorData.Create(tensor.Name, dims, values.Select(v => (long)v).ToArray().AsSpan()),
            OnnxDataType.Int32 => TensorData.Create(tensor.Name, dims, values.Select(v => (int)v).ToArray().AsSpan()),
            OnnxDataType.Int16 => TensorData.Create(tensor.Name, dims, values.Select(v => (short)v).ToArray().AsSpan()),
            OnnxDataType.Int8 => TensorData.Create(tensor.Name, dims, values.Select(v => (sbyte)v).ToArray().AsSpan()),
            OnnxDataType.UInt64 => TensorData.Create(tensor.Name, dims, values.Select(v => (ulong)v).ToArray().AsSpan()),
            OnnxDataType.UInt32 => TensorData.Create(tensor.Name, dims, values.Select(v => (uint)v).ToArray().AsSpan()),
            OnnxDataType.UInt16 => TensorData.Create(tensor.Name, dims, values.Select(v => (ushort)v).ToArray().AsSpan()),
            _ => TensorData.Create(tensor.Name, dims, values.Select(v => (byte)v).ToArray().AsSpan()),
        };
        return (cast, new InputCast(tensor.Name, origin, tensor.ElementType, target, 0));
    }

    private static Int128[] Read(TensorData tensor) => tensor.ElementType switch
    {
        OnnxDataType.Int64 => [.. tensor.AsSpan<long>().ToArray().Select(v => (Int128)v)],
        OnnxDataType.Int32 => [.. tensor.AsSpan<int>().ToArray().Select(v => (Int128)v)],
        OnnxDataType.Int16 => [.. tensor.AsSpan<short>().ToArray().Select(v => (Int128)v)],
        OnnxDataType.Int8 => [.. tensor.AsSpan<sbyte>().ToArray().Select(v => (Int128)v)],
        OnnxDataType.UInt64 => [.. tensor.AsSpan<ulong>().ToArray().Select(v => (Int128)v)],
        OnnxDataType.UInt32 => [.. tensor.AsSpan<uint>().ToArray().Select(v => (Int128)v)],
        OnnxDataType.UInt16 => [.. tensor.AsSpan<ushort>().ToArray().Select(v => (Int128)v)],
        _ => [.. tensor.AsSpan<byte>().ToArray().Select(v => (Int128)v)],
    };

    private static (Int128 Min, Int128 Max)? IntegerRange(OnnxDataType type) => type switch
    {
        OnnxDataType.Int64 => (long.MinValue, long.MaxValue),
        OnnxDataType.Int32 => (int.MinValue, int.MaxValue),
        OnnxDataType.Int16 => (short.MinValue, short.MaxValue),
        OnnxDataType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        OnnxDataType.UInt64 => (ulong.MinValue, ulong.MaxValue),
        OnnxDataType.UInt32 => (uint.MinValue, uint.MaxValue),
        OnnxDataType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        OnnxDataType.UInt8 => (byte.MinValue, byte.MaxValue),
        _ => null,
    };
}
