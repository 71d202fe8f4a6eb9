using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using static OnnxBn.Folding.Onnx.ProtoWire;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// A model serialized without routing its weights through protobuf: the mirror image of
/// <see cref="SlicingModelParser"/>. The generated serializer copies every bytes field into its own buffer before
/// the stream sees it, which for a weight-heavy model is a second pass over every weight byte; a deferred (folded)
/// weight would also have to be computed whole first.
/// <para>
/// So the message is serialized as a small "skeleton" in which each large inline initializer has raw_data present
/// but empty, and the writer walks ModelProto.graph → GraphProto.initializer → TensorProto.raw_data in that skeleton,
/// putting each payload back and growing the enclosing length prefixes to match. Serialization is canonical (fields
/// in a fixed order, each length the size of what follows), so the bytes written equal what the generated
/// serializer makes of the full message.
/// </para>
/// </summary>
internal sealed class SplicedModel
{
    /// <summary>Smaller payloads stay in the skeleton: a splice (a few pieces) would cost more than copying them.</summary>
    private const int MinSplicedBytes = 4096;

    private readonly byte[] _skeleton;
    private readonly List<Piece> _pieces = [];

    private SplicedModel(byte[] skeleton, IReadOnlyList<TensorData?> payloads)
    {
        _skeleton = skeleton;
        int next = 0;
        Length = Splice(payloads, ref next);
        if (next != payloads.Count)
            throw new InvalidOperationException($"the serialized model holds {next} initializers, not {payloads.Count}");
    }

    /// <summary>Bytes <see cref="WriteTo"/> writes.</summary>
    public long Length { get; }

    /// <summary>
    /// Serializes <paramref name="model"/>'s skeleton. Initializers that <paramref name="external"/> sends to an
    /// external file get its message (their bytes are not in the model file); every other raw payload of
    /// <see cref="MinSplicedBytes"/> or more is spliced.
    /// </summary>
    public static SplicedModel Create(OnnxModel model, Func<TensorData, TensorProto?>? external = null)
    {
        var spliced = new Dictionary<TensorProto, TensorData>(ReferenceEqualityComparer.Instance);
        TensorProto Encode(TensorData tensor)
        {
            if (external?.Invoke(tensor) is { } placed)
                return placed;
            if (tensor.PayloadLength >= MinSplicedBytes && TensorProtoCodec.EncodeInlineHeader(tensor) is { } header)
            {
                spliced[header] = tensor;
                return header;
            }
            return TensorProtoCodec.EncodeInline(tensor);
        }
        var skeleton = model.Snapshot(Encode);
        // By message identity, in the order the serializer writes them: the i-th initializer field is the i-th entry.
        var payloads = skeleton.Graph.Initializer.Select(t => spliced.GetValueOrDefault(t)).ToList();
        return new SplicedModel(skeleton.ToByteArray(), payloads);
    }

    /// <summary>Writes the whole model to <paramref name="writer"/>.</summary>
    public void WriteTo(PayloadWriter writer)
    {
        foreach (var piece in _pieces)
        {
            if (piece.Payload is { } tensor)
                writer.WritePayload(tensor);
            else if (piece.Length < 0)
                writer.WriteVarint(piece.Value);
            else
                writer.Write(_skeleton.AsSpan(piece.Start, piece.Length));
        }
    }

    /// <summary>Lists the pieces of the model message and returns its length.</summary>
    private long Splice(IReadOnlyList<TensorData?> payloads, ref int next)
    {
        var model = _skeleton.AsSpan();
        long length = 0;
        int pos = 0;
        while (pos < model.Length)
        {
            int fieldStart = pos;
            Read(model, ref pos, out uint tag, out int payloadStart);
            if (tag != GraphTag)
            {
                length += AddBytes(fieldStart, pos);
                continue;
            }
            length += AddBytes(fieldStart, fieldStart + VarintSize(tag));
            int lengthPiece = AddVarint(0);
            long graph = SpliceGraph(payloadStart, pos, payloads, ref next);
            _pieces[lengthPiece] = Piece.Varint((ulong)graph);
            length += VarintSize((ulong)graph) + graph;
        }
        return length;
    }

    /// <summary>Lists the pieces of the graph message in skeleton bytes [start, end) and returns its new length.</summary>
    private long SpliceGraph(int start, int end, IReadOnlyList<TensorData?> payloads, ref int next)
    {
        var graph = _skeleton.AsSpan(0, end);
        long length = 0;
        for (int pos = start; pos < end;)
        {
            int fieldStart = pos;
            Read(graph, ref pos, out uint tag, out int payloadStart);
            if (tag != InitializerTag)
            {
                length += AddBytes(fieldStart, pos);
                continue;
            }
            if (next >= payloads.Count)
                throw new InvalidOperationException("the serialized model holds more initializers than the graph");
            if (payloads[next++] is not { } tensor)
            {
                length += AddBytes(fieldStart, pos);
                continue;
            }
            length += AddBytes(fieldStart, fieldStart + VarintSize(tag));
            // raw_data goes from an empty field (tag and a zero length) to the tag, the payload's length and the payload.
            int payloadLength = tensor.PayloadLength;
            long tensorLength = pos - payloadStart - 1 + VarintSize((ulong)payloadLength) + payloadLength;
            AddVarint((ulong)tensorLength);
            SpliceTensor(payloadStart, pos, tensor);
            length += VarintSize((ulong)tensorLength) + tensorLength;
        }
        return length;
    }

    private void SpliceTensor(int start, int end, TensorData tensor)
    {
        var message = _skeleton.AsSpan(0, end);
        int rawFields = 0;
        for (int pos = start; pos < end;)
        {
            int fieldStart = pos;
            Read(message, ref pos, out uint tag, out int payloadStart);
            if (tag != RawDataTag)
            {
                AddBytes(fieldStart, pos);
                continue;
            }
            if (pos != payloadStart || ++rawFields > 1)
                throw new InvalidOperationException($"tensor '{tensor.Name}' was serialized with raw_data that is not one empty field");
            AddBytes(fieldStart, payloadStart - 1); // the tag, without the zero length
            AddVarint((ulong)tensor.PayloadLength);
            _pieces.Add(Piece.Spliced(tensor));
        }
        if (rawFields == 0)
            throw new InvalidOperationException($"tensor '{tensor.Name}' was serialized without raw_data");
    }

    private static void Read(ReadOnlySpan<byte> message, ref int pos, out uint tag, out int payloadStart)
    {
        // The skeleton comes from the generated serializer: a field it cannot read is a bug here, not bad input.
        if (!TryReadField(message, ref pos, out tag, out payloadStart))
            throw new InvalidOperationException("the serialized model skeleton cannot be read back");
    }

    private int AddBytes(int start, int end)
    {
        if (end > start)
            _pieces.Add(Piece.Bytes(start, end - start));
        return end - start;
    }

    private int AddVarint(ulong value)
    {
        _pieces.Add(Piece.Varint(value));
        return _pieces.Count - 1;
    }

    /// <summary>Skeleton bytes [Start, Start + Length), a varint (Length −1), or a spliced payload.</summary>
    private readonly record struct Piece(int Start, int Length, ulong Value, TensorData? Payload)
    {
        public static Piece Bytes(int start, int length) => new(start, length, 0, null);

        public static Piece Varint(ulong value) => new(0, -1, value, null);

        public static Piece Spliced(TensorData tensor) => new(0, 0, 0, tensor);
    }
}
