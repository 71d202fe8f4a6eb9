using System.Buffers;
using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using static OnnxBn.Folding.Onnx.ProtoWire;

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
    private static readonly byte[] EmptyRawData = [(byte)RawDataTag, 0];

    /// <summary>
    /// The parsed model, or null when this parser steps aside: the bytes are malformed on the scanned path (the
    /// generated parser then reports the defect in its own words), fail to parse, or hold less raw_data
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
}
