using System.Runtime.InteropServices;

namespace OnnxBn.Folding;

/// <summary>
/// A bfloat16 value as its 16 stored bits (the upper half of a float32). Conversion from float rounds to nearest
/// even, as PyTorch and ONNX Runtime do.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct BFloat16Bits(ushort Bits)
{
    public static BFloat16Bits FromSingle(float value)
    {
        if (float.IsNaN(value))
            return new BFloat16Bits(0x7FC0);
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return new BFloat16Bits((ushort)((bits + roundingBias) >> 16));
    }

    public float ToSingle() => BitConverter.UInt32BitsToSingle((uint)Bits << 16);

    public override string ToString() => ToSingle().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
