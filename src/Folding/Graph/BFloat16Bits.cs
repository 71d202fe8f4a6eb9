using System.Runtime.InteropServices;

namespace OnnxBn.Folding;

/// <summary>
/// A bfloat16 value as its 16 stored bits (the upper half of a float32). Conversion from float rounds to nearest
/// even, as PyTorch and ONNX Runtime do.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct BFloat16Bits(ushort Bits)
{
    /// <summary>
    /// Rounds a float to the nearest bfloat16, ties to even; infinities stay infinite, every NaN becomes the quiet
    /// NaN 0x7FC0 (so rounding cannot turn a NaN payload into an infinity).
    /// </summary>
    public static BFloat16Bits FromSingle(float value)
    {
        if (float.IsNaN(value))
            return new BFloat16Bits(0x7FC0);
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return new BFloat16Bits((ushort)((bits + roundingBias) >> 16));
    }

    /// <summary>
    /// Rounds a double to the nearest bfloat16 (ties to even) in one step. Going through <c>(float)value</c> first
    /// would round twice: a value just above a bfloat16 midpoint can become exactly the midpoint in float32 and then
    /// round down to even. Rounding to float32 "to odd" (truncate, then set the last bit if anything was lost)
    /// keeps that information, and float32 has enough extra bits for the second rounding to be exact.
    /// </summary>
    public static BFloat16Bits FromDouble(double value)
    {
        if (double.IsNaN(value))
            return new BFloat16Bits(0x7FC0);
        float single = (float)value;
        if (double.IsFinite(value) && (double)single != value)
        {
            if (Math.Abs((double)single) > Math.Abs(value))
                single = MathF.BitDecrement(Math.Abs(single)) * MathF.Sign(single);
            single = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(single) | 1u);
        }
        return FromSingle(single);
    }

    /// <summary>The exact float value: a bfloat16 is a float32 whose low 16 bits are zero, so this never rounds.</summary>
    public float ToSingle() => BitConverter.UInt32BitsToSingle((uint)Bits << 16);

    /// <summary>The value as <see cref="ToSingle"/> prints it, in the invariant culture.</summary>
    public override string ToString() => ToSingle().ToString(System.Globalization.CultureInfo.InvariantCulture);
}
