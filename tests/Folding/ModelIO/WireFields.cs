using Google.Protobuf;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Hand-made protobuf fields, for messages our own writer would never produce (unknown or repeated fields).</summary>
internal static class WireFields
{
    /// <summary>One length-delimited field: tag <paramref name="number"/>, the length, the bytes.</summary>
    public static byte[] Field(int number, ReadOnlySpan<byte> payload)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
        output.Flush();
        return buffer.ToArray();
    }
}
