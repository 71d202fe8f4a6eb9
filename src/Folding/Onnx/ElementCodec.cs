using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OnnxBn.Folding.Onnx;

/// <summary>Converts little-endian tensor payloads to and from float64, the precision all folding math runs in.</summary>
internal static class ElementCodec
{
    public static double[] DecodeDoubles(OnnxDataType type, ReadOnlySpan<byte> bytes, long count, string name)
    {
        var result = new double[count];
        switch (type)
        {
            case OnnxDataType.Float:
                var floats = MemoryMarshal.Cast<byte, float>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = floats[i];
                break;
            case OnnxDataType.Double:
                MemoryMarshal.Cast<byte, double>(bytes).CopyTo(result);
                break;
            case OnnxDataType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = (double)halves[i];
                break;
            case OnnxDataType.BFloat16:
                var bf = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = new BFloat16Bits(bf[i]).ToSingle();
                break;
            case OnnxDataType.Int64:
                var longs = MemoryMarshal.Cast<byte, long>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = longs[i];
                break;
            case OnnxDataType.Int32:
                var ints = MemoryMarshal.Cast<byte, int>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = ints[i];
                break;
            case OnnxDataType.Int8:
                for (int i = 0; i < result.Length; i++) result[i] = (sbyte)bytes[i];
                break;
            case OnnxDataType.UInt8:
            case OnnxDataType.Bool:
                for (int i = 0; i < result.Length; i++) result[i] = bytes[i];
                break;
            case OnnxDataType.Int16:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]);
                break;
            case OnnxDataType.UInt16:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
                break;
            case OnnxDataType.UInt32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
                break;
            case OnnxDataType.UInt64:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 * i)..]);
                break;
            default:
                throw new InvalidOperationException($"Tensor '{name}': {type.DisplayName()} values cannot be read as numbers.");
        }
        return result;
    }

    public static byte[] EncodeDoubles(OnnxDataType type, ReadOnlySpan<double> values, string name)
    {
        switch (type)
        {
            case OnnxDataType.Float:
                // Straight into the payload array: a float[] first and a byte copy after doubled the memory churn.
                var floatBytes = GC.AllocateUninitializedArray<byte>(values.Length * sizeof(float));
                var floats = MemoryMarshal.Cast<byte, float>(floatBytes.AsSpan());
                for (int i = 0; i < floats.Length; i++) floats[i] = (float)values[i];
                return floatBytes;
            case OnnxDataType.Double:
                return MemoryMarshal.AsBytes(values).ToArray();
            case OnnxDataType.Float16:
                var halves = new Half[values.Length];
                for (int i = 0; i < halves.Length; i++) halves[i] = (Half)values[i];
                return MemoryMarshal.AsBytes(halves.AsSpan()).ToArray();
            case OnnxDataType.BFloat16:
                var bf = new BFloat16Bits[values.Length];
                for (int i = 0; i < bf.Length; i++) bf[i] = BFloat16Bits.FromDouble(values[i]);
                return MemoryMarshal.AsBytes(bf.AsSpan()).ToArray();
            case OnnxDataType.Int64:
                var longs = new long[values.Length];
                for (int i = 0; i < longs.Length; i++) longs[i] = Integral<long>(values[i], name);
                return MemoryMarshal.AsBytes(longs.AsSpan()).ToArray();
            case OnnxDataType.Int32:
                var ints = new int[values.Length];
                for (int i = 0; i < ints.Length; i++) ints[i] = Integral<int>(values[i], name);
                return MemoryMarshal.AsBytes(ints.AsSpan()).ToArray();
            default:
                // A folded weight takes the type of the one it replaces; a model whose float op has, say, a uint32 bias
                // is one the fold cannot write, not a bug.
                throw new UnsupportedModelException(null, $"a folded value cannot be written as {type.DisplayName()}", $"tensor '{name}'");
        }
    }

    /// <summary>A folded integer weight rounded back; NaN or out of range is a model the fold cannot write, not a crash.</summary>
    private static T Integral<T>(double value, string name) where T : System.Numerics.INumber<T>, System.Numerics.IMinMaxValue<T>
    {
        double rounded = Math.Round(value);
        if (double.IsNaN(rounded) || rounded < double.CreateTruncating(T.MinValue) || rounded > double.CreateTruncating(T.MaxValue))
            throw new UnsupportedModelException(null, $"a folded value ({value}) does not fit the tensor's {typeof(T).Name} elements", $"tensor '{name}'");
        return T.CreateTruncating(rounded);
    }
}
