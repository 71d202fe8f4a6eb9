using System.Buffers;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// The protobuf wire format at the level of single fields (tag, varint, length): what the zero-copy reader
/// (<see cref="SlicingModelParser"/>) and writer (<see cref="SplicedModel"/>) need to walk the three levels
/// ModelProto → GraphProto → TensorProto without the generated code copying every payload.
/// </summary>
internal static class ProtoWire
{
    public const int WireVarint = 0, WireFixed64 = 1, WireLength = 2, WireStartGroup = 3, WireEndGroup = 4, WireFixed32 = 5;

    /// <summary>How deep groups may nest: protobuf's own parser refuses messages nested deeper than 100.</summary>
    private const int MaxGroupDepth = 100;
    public const uint GraphTag = (7 << 3) | WireLength;       // ModelProto.graph
    public const uint InitializerTag = (5 << 3) | WireLength; // GraphProto.initializer
    public const uint RawDataTag = (9 << 3) | WireLength;     // TensorProto.raw_data

    /// <summary>
    /// Reads one field's tag and moves past its value. For a length-delimited field <paramref name="payloadStart"/>
    /// is where its bytes begin (they end at the new <paramref name="pos"/>). A (deprecated) group is one field
    /// from its start tag through its matching end tag: the generated parser keeps unknown groups and writes them back,
    /// so a reader of its output must step over them. False for anything malformed, for field number 0, and for an
    /// end-group tag without its start.
    /// </summary>
    public static bool TryReadField(ReadOnlySpan<byte> s, ref int pos, out uint tag, out int payloadStart) =>
        TryReadField(s, ref pos, out tag, out payloadStart, depth: 0);

    private static bool TryReadField(ReadOnlySpan<byte> s, ref int pos, out uint tag, out int payloadStart, int depth)
    {
        payloadStart = -1;
        tag = 0;
        if (!TryReadVarint(s, ref pos, out ulong rawTag) || rawTag > uint.MaxValue || rawTag >> 3 == 0)
            return false;
        tag = (uint)rawTag;
        switch ((int)(tag & 7))
        {
            case WireVarint:
                return TryReadVarint(s, ref pos, out _);
            case WireFixed64:
                return Advance(s, ref pos, 8);
            case WireFixed32:
                return Advance(s, ref pos, 4);
            case WireLength:
                if (!TryReadVarint(s, ref pos, out ulong length) || length > int.MaxValue)
                    return false;
                payloadStart = pos;
                return Advance(s, ref pos, (int)length);
            case WireStartGroup:
                return SkipGroup(s, ref pos, tag >> 3, depth + 1);
            default:
                return false;
        }
    }

    /// <summary>Moves past a group's fields and its end tag (field <paramref name="number"/>, wire type 4).</summary>
    private static bool SkipGroup(ReadOnlySpan<byte> s, ref int pos, uint number, int depth)
    {
        if (depth > MaxGroupDepth)
            return false;
        while (pos < s.Length)
        {
            int fieldStart = pos;
            if (!TryReadVarint(s, ref pos, out ulong rawTag) || rawTag > uint.MaxValue)
                return false;
            if ((rawTag & 7) == WireEndGroup)
                return rawTag >> 3 == number;
            pos = fieldStart;
            if (!TryReadField(s, ref pos, out _, out _, depth))
                return false;
        }
        return false;
    }

    public static bool TryReadVarint(ReadOnlySpan<byte> s, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && pos < s.Length; shift += 7)
        {
            byte b = s[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return true;
        }
        return false;
    }

    /// <summary>Bytes the varint encoding of <paramref name="value"/> takes (1 to 10).</summary>
    public static int VarintSize(ulong value)
    {
        int n = 1;
        for (; value >= 0x80; value >>= 7)
            n++;
        return n;
    }

    /// <summary>Encodes <paramref name="value"/> as a varint into <paramref name="bytes"/> (at least 10 long); returns its length.</summary>
    public static int EncodeVarint(ulong value, Span<byte> bytes)
    {
        int n = 0;
        for (; value >= 0x80; value >>= 7)
            bytes[n++] = (byte)(value | 0x80);
        bytes[n++] = (byte)value;
        return n;
    }

    public static void WriteVarint(IBufferWriter<byte> output, ulong value)
    {
        Span<byte> bytes = stackalloc byte[10];
        output.Write(bytes[..EncodeVarint(value, bytes)]);
    }

    private static bool Advance(ReadOnlySpan<byte> s, ref int pos, int count)
    {
        if (count > s.Length - pos)
            return false;
        pos += count;
        return true;
    }
}
