using Google.Protobuf;
using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

public sealed partial class OnnxModel
{
    /// <summary>
    /// Loads a model file and the external data files it names (relative to its folder, and inside it unless
    /// <paramref name="options"/> allows otherwise). Throws <see cref="OnnxModelException"/> with a one-line reason
    /// for anything unreadable or inconsistent; only regular files are opened (a FIFO or device is refused, never
    /// waited on).
    /// </summary>
    public static OnnxModel Load(string path, ModelLoadOptions? options = null)
    {
        options ??= new ModelLoadOptions();
        if (Directory.Exists(path))
            throw new OnnxModelException(path, "is a directory, not a model file");
        if (!System.IO.File.Exists(path))
            throw new OnnxModelException(path, "file not found");
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = RegularFile.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OnnxModelException(path, $"cannot be read ({Printable.Reason(ex)})");
        }
        using (handle)
        {
            byte[]? file = ReadWhole(handle);
            if (file is not null && SlicingModelParser.TryParse(file) is { } sliced)
                return FromProto(sliced, path, directory, options);
            file = null; // the fallback below must not hold a second copy of the file while it parses
            // Parsed straight from the file: reading it into one array first would hold a second copy of every weight
            // (the whole file) while the message is built.
            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 1 << 16);
            try
            {
                if (stream.Length == 0)
                    throw new OnnxModelException(path, "empty file (0 bytes), not an ONNX model");
                return FromProto(Parse(() => ModelProto.Parser.ParseFrom(stream), path), path, directory, options);
            }
            catch (IOException ex)
            {
                throw new OnnxModelException(path, $"cannot be read ({Printable.Reason(ex)})");
            }
        }
    }

    /// <summary>
    /// The whole file in one array, for <see cref="SlicingModelParser"/> (initializer payloads become slices of it,
    /// so it is the only copy of the weights); null when it cannot be one array or cannot be read, in which case
    /// the streaming path reports what is wrong.
    /// </summary>
    private static byte[]? ReadWhole(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length == 0 || length > Array.MaxLength)
                return null;
            // Uninitialized: every byte is overwritten by the read, and zeroing 100 MB first costs as much as reading it.
            var bytes = FileBuffer.Allocate((int)length);
            // The fresh array is paged in as the read fills it, and those page faults cost as much as the copy; on
            // both cores (each reading its own half) each thread takes the faults of its half.
            int parts = bytes.Length < ParallelReadMinBytes ? 1 : Environment.ProcessorCount;
            bool complete = true;
            if (parts <= 1)
                complete = ReadRange(handle, bytes, 0, bytes.Length);
            else
                Parallel.For(0, parts, p =>
                {
                    int from = (int)((long)bytes.Length * p / parts), to = (int)((long)bytes.Length * (p + 1) / parts);
                    if (!ReadRange(handle, bytes, from, to))
                        complete = false;
                });
            return complete ? bytes : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Below this size the file is read on the calling thread: scheduling would cost more than it saves.</summary>
    private const int ParallelReadMinBytes = 8 << 20;

    /// <summary>
    /// Fills bytes [<paramref name="from"/>, <paramref name="to"/>) from the same offsets of the file; false if the
    /// file ends first or cannot be read (the streaming path then reports why).
    /// </summary>
    private static bool ReadRange(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] bytes, int from, int to)
    {
        try
        {
            for (int read = from; read < to;)
            {
                int n = RandomAccess.Read(handle, bytes.AsSpan(read, to - read), read);
                if (n == 0)
                    return false;
                read += n;
            }
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Loads a model from a stream; external data is resolved against <paramref name="baseDirectory"/> if given.</summary>
    public static OnnxModel Load(Stream stream, string? baseDirectory = null)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        // The array is ours alone, so initializer payloads may alias it.
        byte[] bytes = buffer.ToArray();
        return SlicingModelParser.TryParse(bytes) is { } sliced
            ? FromProto(sliced, null, baseDirectory, new ModelLoadOptions())
            : FromBytes(bytes, null, baseDirectory);
    }

    /// <summary>Loads a model from bytes; external data is resolved against <paramref name="baseDirectory"/> if given.</summary>
    public static OnnxModel FromBytes(ReadOnlySpan<byte> bytes, string? baseDirectory = null) =>
        FromBytes(bytes, null, baseDirectory);

    private static OnnxModel FromBytes(ReadOnlySpan<byte> bytes, string? path, string? baseDirectory)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw ParseFailure(ex, path);
        }
        return FromProto(proto, path, baseDirectory, new ModelLoadOptions());
    }

    private static ModelProto Parse(Func<ModelProto> parse, string path)
    {
        try
        {
            return parse();
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw ParseFailure(ex, path);
        }
    }

    private static OnnxModelException ParseFailure(InvalidProtocolBufferException ex, string? path)
    {
        string why = ex.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase)
            ? "truncated file (protobuf message ends early)"
            : $"not an ONNX model (protobuf parse failed: {ex.Message.TrimEnd('.')})";
        return new OnnxModelException(path, why);
    }

    private static OnnxModel FromProto(ModelProto proto, string? path, string? baseDirectory, ModelLoadOptions options)
    {
        if (proto.Graph is null || !proto.HasIrVersion)
            throw new OnnxModelException(path, "not an ONNX model (no ir_version or no graph)");
        var externalData = baseDirectory is null ? null : new ExternalDataReader(path, baseDirectory, options);
        return new OnnxModel(proto, path, externalData);
    }
}
