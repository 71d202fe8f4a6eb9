namespace OnnxBn.Folding.Onnx;

/// <summary>
/// A new file, written straight through to the OS, that is on disk when <see cref="Commit"/> returns. Saving renames
/// a temporary file over the target; the temporary's data must reach the disk before that rename, or a crash can
/// leave the target name pointing at an empty or partial file (fsync-before-rename is what makes the replacement
/// atomic across a power loss, not only across processes).
/// <para>
/// A single fsync at the end waits for the whole file to be written back (~35 ms for 100 MB here, more when other
/// files are dirty). So every <see cref="FlushEvery"/> bytes a background flush, through a second handle, pushes out
/// what has been written so far while the caller serializes the rest; the closing fsync only waits for the tail.
/// The closing fsync is what guarantees durability; the background ones only start it earlier.
/// </para>
/// </summary>
internal sealed class DurableFileStream : Stream
{
    private const long FlushEvery = 16L << 20;
    private readonly long _flushEvery;
    private readonly FileStream _file;
    private readonly string _path;
    private FileStream? _flusher;
    private Task _flush = Task.CompletedTask;
    private long _unflushed;

    private DurableFileStream(string path, long flushEvery)
    {
        _path = path;
        _flushEvery = flushEvery;
        // No FileStream buffer: callers hand over large chunks (PayloadWriter's buffer, tensor payloads).
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
    }

    /// <summary>Creates <paramref name="path"/>, which must not exist; <paramref name="flushEvery"/> is for tests.</summary>
    public static DurableFileStream CreateNew(string path, long flushEvery = FlushEvery) => new(path, flushEvery);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    // Stream requires these members; a forward-only writer supports none of them (CanRead and CanSeek say so).
    private const string WriteOnly = "DurableFileStream is a forward-only writer";

    public override bool CanWrite => true;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => throw new NotSupportedException(WriteOnly);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _file.Write(buffer);
        _unflushed += buffer.Length;
        if (_unflushed < _flushEvery || !_flush.IsCompleted)
            return;
        _flush.GetAwaiter().GetResult(); // a failed background flush fails the save now
        _unflushed = 0;
        _flusher ??= new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        var flusher = _flusher;
        _flush = Task.Run(() => flusher.Flush(flushToDisk: true));
    }

    /// <summary>Zero-fills up to <paramref name="offset"/> (external data files leave gaps between tensors).</summary>
    public void ExtendTo(long offset)
    {
        if (_file.Position < offset)
        {
            _file.SetLength(offset);
            _file.Position = offset;
        }
    }

    /// <summary>Returns when everything written is on disk.</summary>
    public void Commit()
    {
        _flush.GetAwaiter().GetResult();
        _file.Flush(flushToDisk: true);
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException(WriteOnly);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException(WriteOnly);

    public override void SetLength(long value) => throw new NotSupportedException(WriteOnly);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // After a failure the file is deleted anyway; only make sure no flush still uses the second handle.
            try { _flush.Wait(); }
            catch (AggregateException) { }
            _flusher?.Dispose();
            _file.Dispose();
        }
        base.Dispose(disposing);
    }
}
