using System.Buffers;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Writes a model file's bytes to a stream: small pieces (message headers, small tensors) gathered into one buffer,
/// tensor payloads straight from their memory, and deferred payloads (<see cref="DeferredPayload"/>) computed piece
/// by piece into that same buffer, which stays in cache, instead of being made whole first.
/// </summary>
internal sealed class PayloadWriter(Stream stream) : IDisposable
{
    /// <summary>
    /// Buffer size: large enough that a 100 MB model takes ~100 write calls, small enough to stay in the cache
    /// between computing a piece of a deferred payload and copying it to the OS.
    /// </summary>
    private const int BufferBytes = 1 << 20;

    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
    private int _filled;

    /// <summary>Bytes written so far (including those still buffered).</summary>
    public long Position { get; private set; }

    /// <summary>Appends <paramref name="bytes"/>, buffered when they fit.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        var buffer = Buffer;
        Position += bytes.Length;
        if (bytes.Length > buffer.Length - _filled)
        {
            Flush();
            if (bytes.Length >= buffer.Length / 2)
            {
                stream.Write(bytes);
                return;
            }
        }
        bytes.CopyTo(buffer.AsSpan(_filled));
        _filled += bytes.Length;
    }

    /// <summary>Appends <paramref name="value"/> as a protobuf varint.</summary>
    public void WriteVarint(ulong value)
    {
        Span<byte> bytes = stackalloc byte[10];
        Write(bytes[..ProtoWire.EncodeVarint(value, bytes)]);
    }

    /// <summary>Appends the tensor's payload, computing a deferred one piece by piece without keeping it.</summary>
    public void WritePayload(TensorData tensor)
    {
        if (tensor.PendingPayload is not { } deferred)
        {
            Write(tensor.RawBytes);
            return;
        }
        var buffer = Buffer;
        // Whole elements per piece, appended after whatever small bytes are buffered already.
        int granularity = deferred.Granularity;
        for (long offset = 0; offset < deferred.Length;)
        {
            int room = (buffer.Length - _filled) / granularity * granularity;
            if (room == 0)
            {
                Flush();
                continue;
            }
            int piece = (int)Math.Min(room, deferred.Length - offset);
            deferred.CopyTo(offset, buffer.AsSpan(_filled, piece));
            _filled += piece;
            offset += piece;
            Position += piece;
        }
    }

    /// <summary>Hands every buffered byte to the stream.</summary>
    public void Flush()
    {
        if (_filled == 0)
            return;
        stream.Write(Buffer, 0, _filled);
        _filled = 0;
    }

    /// <summary>Returns the buffer; whatever is still buffered is dropped (call <see cref="Flush"/> to keep it).</summary>
    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PayloadWriter));
}
