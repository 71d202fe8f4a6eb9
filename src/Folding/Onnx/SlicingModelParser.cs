using System.Buffers;
using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Parses a model held in one buffer without copying its initializers' raw_data: those payloads become slices of
/// the buffer. The generated parser copies every bytes field, which for a weight-heavy model means allocating and
/// filling the whole file a second time, page by page; that was most of the load time.
/// <para>
/// Only the path ModelProto.graph → GraphProto.initializer → TensorProto.raw_data is scanned here. Every other
/// byte goes, verbatim, into a small "skeleton" copy of the message in which each of those raw_data fields is
/// present but empty; the generated parser parses the skeleton (so every other field, known or unknown, is read and
/// validated exactly as before) and the payloads are attached afterwards. The resulting message equals what the
/// generated parser makes of the whole file, field for field, so a model saves to the same bytes either way.
/// </para>
/// </summary>
internal static class SlicingModelParser
{
    private const uint GraphTag = (7 << 3) | WireLength;       // ModelProto.graph
    private const uint InitializerTag = (5 << 3) | WireLength; // GraphProto.initializer
    private const uint RawDataTag = (9 << 3) | WireLength;     // TensorProto.raw_data
    private static readonly byte[] EmptyRawData = [(byte)RawDataTag, 0];
    private const int WireVarint = 0, WireFixed64 = 1, WireLength = 2, WireFixed32 = 5;

    /// <summary>
    /// The parsed model, or null when this parser steps aside: the bytes are malformed on the scanned path (the
    /// generated parser then reports the defect in its own words), use groups, fail to parse, or hold less raw_data
    /// than the rest of the message (then the skeleton would be nearly a second copy of the file and slicing saves
    /// nothing, while the whole buffer would stay alive for the model's lifetime).
    /// </summary>
    /// <param name="file">The serialized model; it must never change afterwards (tensors alias it).</param>
    public static ModelProto? TryParse(ReadOnlyMemory<byte> file)
    {
        var slices = new List<(int Start, int Length)?>();
        var skeleton = new ArrayBufferWriter<byte>(64 * 1024);
        if (!StripModel(file.Span, skeleton, slices, out long stripped) || stripped < file.Length / 2)
            return null;
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(skeleton.WrittenSpan);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
        // Repeated graph fields merge, appending initializers in file order: the i-th initializer field scanned is
        // the i-th initializer of the parsed graph.
        var initializers = proto.Graph?.Initializer;
        if ((initializers?.Count ?? 0) != slices.Count)
            return null;
        for (int i = 0; i < slices.Count; i++)
            if (slices[i] is { } slice)
                initializers![i].RawData = UnsafeByteOperations.UnsafeWrap(file.Slice(slice.Start, slice.Length));
        return proto;
    }

    private static bool StripModel(ReadOnlySpan<byte> model, ArrayBufferWriter<byte> output, List<(int Start, int Length)?> slices, out long stripped)
    {
        stripped = 0;
        var graph = new ArrayBufferWriter<byte>(16 * 1024);
        int pos = 0;
        while (pos < model.Length)
        {
            int fieldStart = pos;
            if (!TryReadField(model, ref pos, out uint tag, out int payloadStart))
                return false;
            if (tag != GraphTag)
            {
                output.Write(model[fieldStart..pos]);
                continue;
            }
            graph.ResetWrittenCount();
            if (!StripGraph(model[payloadStart..pos], payloadStart, graph, slices, ref stripped))
                return false;
            WriteVarint(output, GraphTag);
            WriteVarint(output, (uint)graph.WrittenCount);
            output.Write(graph.WrittenSpan);
        }
        return true;
    }

    /// <summary>
    /// Copies one graph message with its initializers stripped into <paramref name="output"/>, appending each
    /// initializer's payload position to <paramref name="slices"/>. <paramref name="offset"/> is where
    /// <paramref name="graph"/> starts in the file: slices are file positions.
    /// </summary>
    private static bool StripGraph(ReadOnlySpan<byte> graph, int offset, ArrayBufferWriter<byte> output, List<(int Start, int Length)?> slices, ref long stripped)
    {
        int pos = 0;
        while (pos < graph.Length)
        {
            int fieldStart = pos;
            if (!TryReadField(graph, ref pos, out uint tag, out int payloadStart))
                return false;
            if (tag != InitializerTag)
            {
                output.Write(graph[fieldStart..pos]);
                continue;
            }
            var tensor = graph[payloadStart..pos];
            if (!MeasureTensor(tensor, out int strippedLength, out var raw))
                return false;
            WriteVarint(output, InitializerTag);
            WriteVarint(output, (uint)strippedLength);
            WriteTensor(tensor, output);
            slices.Add(raw is { } r ? (offset + payloadStart + r.Start, r.Length) : null);
            stripped += tensor.Length - strippedLength;
        }
        return true;
    }

    /// <summary>The tensor's length once every raw_data field is emptied, and where its (last, winning) payload is.</summary>
    private static bool MeasureTensor(ReadOnlySpan<byte> tensor, out int strippedLength, out (int Start, int Length)? raw)
    {
        strippedLength = 0;
        raw = null;
        int pos = 0;
        while (pos < tensor.Length)
        {
            int fieldStart = pos;
            if (!TryReadField(tensor, ref pos, out uint tag, out int payloadStart))
                return false;
            if (tag == RawDataTag)
            {
                strippedLength += 2; // the tag (one byte for field 9) and a zero length
                raw = (payloadStart, pos - payloadStart);
            }
            else
            {
                strippedLength += pos - fieldStart;
            }
        }
        return true;
    }

    /// <summary>Copies the tensor's fields, each raw_data field as an empty one (present, so HasRawData holds).</summary>
    private static void WriteTensor(ReadOnlySpan<byte> tensor, ArrayBufferWriter<byte> output)
    {
        int pos = 0;
        while (pos < tensor.Length)
        {
            int fieldStart = pos;
            TryReadField(tensor, ref pos, out uint tag, out _); // MeasureTensor has checked every field already
            if (tag == RawDataTag)
                output.Write(EmptyRawData);
            else
                output.Write(tensor[fieldStart..pos]);
        }
    }

    /// <summary>
    /// Reads one field's tag and moves past its value. For a length-delimited field <paramref name="payloadStart"/>
    /// is where its bytes begin (they end at the new <paramref name="pos"/>). False for anything malformed, for
    /// field number 0, and for the deprecated group wire types, which the generated parser handles on the fallback path.
    /// </summary>
    private static bool TryReadField(ReadOnlySpan<byte> s, ref int pos, out uint tag, out int payloadStart)
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
            default:
                return false;
        }
    }

    private static bool Advance(ReadOnlySpan<byte> s, ref int pos, int count)
    {
        if (count > s.Length - pos)
            return false;
        pos += count;
        return true;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> s, ref int pos, out ulong value)
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

    private static void WriteVarint(ArrayBufferWriter<byte> output, uint value)
    {
        Span<byte> bytes = stackalloc byte[5];
        int n = 0;
        for (; value >= 0x80; value >>= 7)
            bytes[n++] = (byte)(value | 0x80);
        bytes[n++] = (byte)value;
        output.Write(bytes[..n]);
    }
}
