using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OnnxBn.Folding.Onnx;

/// <summary>Converts little-endian tensor payloads to and from float64, the precision all folding math runs in.</summary>
internal static class ElementCodec
{
    public static double[] DecodeDoubles(TensorElementType type, ReadOnlySpan<byte> bytes, long count, string name)
    {
        var result = new double[count];
        switch (type)
        {
            case TensorElementType.Float:
                var floats = MemoryMarshal.Cast<byte, float>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = floats[i];
                break;
            case TensorElementType.Double:
                MemoryMarshal.Cast<byte, double>(bytes).CopyTo(result);
                break;
            case TensorElementType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = (double)halves[i];
                break;
            case TensorElementType.BFloat16:
                var bf = MemoryMarshal.Cast<byte, ushort>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = new BFloat16Bits(bf[i]).ToSingle();
                break;
            case TensorElementType.Int64:
                var longs = MemoryMarshal.Cast<byte, long>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = longs[i];
                break;
            case TensorElementType.Int32:
                var ints = MemoryMarshal.Cast<byte, int>(bytes);
                for (int i = 0; i < result.Length; i++) result[i] = ints[i];
                break;
            case TensorElementType.Int8:
                for (int i = 0; i < result.Length; i++) result[i] = (sbyte)bytes[i];
                break;
            case TensorElementType.UInt8:
            case TensorElementType.Bool:
                for (int i = 0; i < result.Length; i++) result[i] = bytes[i];
                break;
            case TensorElementType.Int16:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]);
                break;
            case TensorElementType.UInt16:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
                break;
            case TensorElementType.UInt32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(4 * i)..]);
                break;
            case TensorElementType.UInt64:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(8 * i)..]);
                break;
            default:
                throw new InvalidOperationException($"Tensor '{name}': {type.DisplayName()} values cannot be read as numbers.");
        }
        return result;
    }

    public static byte[] EncodeDoubles(TensorElementType type, ReadOnlySpan<double> values, string name)
    {
        switch (type)
        {
            case TensorElementType.Float:
                // Straight into the payload array: a float[] first and a byte copy after doubled the memory churn.
                var floatBytes = GC.AllocateUninitializedArray<byte>(values.Length * sizeof(float));
                var floats = MemoryMarshal.Cast<byte, float>(floatBytes.AsSpan());
                for (int i = 0; i < floats.Length; i++) floats[i] = (float)values[i];
                return floatBytes;
            case TensorElementType.Double:
                return MemoryMarshal.AsBytes(values).ToArray();
            case TensorElementType.Float16:
                var halves = new Half[values.Length];
                for (int i = 0; i < halves.Length; i++) halves[i] = (Half)values[i];
                return MemoryMarshal.AsBytes(halves.AsSpan()).ToArray();
            case TensorElementType.BFloat16:
                var bf = new BFloat16Bits[values.Length];
                for (int i = 0; i < bf.Length; i++) bf[i] = BFloat16Bits.FromDouble(values[i]);
                return MemoryMarshal.AsBytes(bf.AsSpan()).ToArray();
            case TensorElementType.Int64:
                var longs = new long[values.Length];
                for (int i = 0; i < longs.Length; i++) longs[i] = Integral<long>(values[i], name);
                return MemoryMarshal.AsBytes(longs.AsSpan()).ToArray();
            case TensorElementType.Int32:
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
