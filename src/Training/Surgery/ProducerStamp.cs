namespace OnnxBn.Training.Surgery;

/// <summary>
/// Rewrites a serialized ModelProto's producer_name (field 2) and producer_version (field 3) at the wire level.
/// OnnxModel exposes the producer read-only and its protobuf types stay inside OnnxBn.Folding, so model B gets its
/// producer here: every other top-level field is copied byte for byte, in order, and the two strings are appended
/// (protobuf readers accept fields in any order; the last occurrence of a field wins).
/// </summary>
public static class ProducerStamp
{
    private const int ProducerNameField = 2, ProducerVersionField = 3;

    /// <summary>The model bytes with <paramref name="name"/> and <paramref name="version"/> as producer.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed protobuf message.</exception>
    public static byte[] Apply(ReadOnlySpan<byte> model, string name, string version)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(version);
        using var output = new MemoryStream(model.Length + name.Length + version.Length + 16);
        var position = 0;
        while (position < model.Length)
        {
            var start = position;
            var tag = ReadVarint(model, ref position);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    ReadVarint(model, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = ReadVarint(model, ref position);
                    if (length > (ulong)(model.Length - position))
                        throw new InvalidDataException("A length-delimited field runs past the end of the model.");
                    position += (int)length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7} at byte {start}.");
            }
            if (position > model.Length)
                throw new InvalidDataException("A field runs past the end of the model.");
            if (field is not (ProducerNameField or ProducerVersionField))
                output.Write(model[start..position]);
        }
        WriteString(output, ProducerNameField, name);
        WriteString(output, ProducerVersionField, version);
        return output.ToArray();
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
                throw new InvalidDataException("Truncated varint.");
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new InvalidDataException("Varint longer than 10 bytes.");
    }

    private static void WriteString(Stream output, int field, string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        WriteVarint(output, (ulong)(field << 3 | 2));
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }
}
