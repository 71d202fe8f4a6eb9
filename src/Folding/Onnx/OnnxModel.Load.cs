using Google.Protobuf;
using OnnxBn.Folding.Onnx;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

public sealed partial class OnnxModel
{
    /// <summary>
    /// Loads a model file and the external data files it names (relative to its folder). Throws
    /// <see cref="OnnxModelException"/> with a one-line reason for anything unreadable or inconsistent.
    /// </summary>
    public static OnnxModel Load(string path)
    {
        if (Directory.Exists(path))
            throw new OnnxModelException(path, "is a directory, not a model file");
        if (!System.IO.File.Exists(path))
            throw new OnnxModelException(path, "file not found");
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        // Parsed straight from the file: reading it into one array first would hold a second copy of every weight
        // (the whole file) while the message is built.
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OnnxModelException(path, $"cannot be read ({ex.Message})");
        }
        using (stream)
        {
            if (stream.Length == 0)
                throw new OnnxModelException(path, "empty file (0 bytes), not an ONNX model");
            try
            {
                return FromProto(Parse(() => ModelProto.Parser.ParseFrom(stream), path), path, directory);
            }
            catch (IOException ex)
            {
                throw new OnnxModelException(path, $"cannot be read ({ex.Message})");
            }
        }
    }

    /// <summary>Loads a model from a stream; external data is resolved against <paramref name="baseDirectory"/> if given.</summary>
    public static OnnxModel Load(Stream stream, string? baseDirectory = null)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return FromBytes(buffer.ToArray(), null, baseDirectory);
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
        return FromProto(proto, path, baseDirectory);
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

    private static OnnxModel FromProto(ModelProto proto, string? path, string? baseDirectory)
    {
        if (proto.Graph is null || !proto.HasIrVersion)
            throw new OnnxModelException(path, "not an ONNX model (no ir_version or no graph)");
        var externalData = baseDirectory is null ? null : new ExternalDataReader(path, baseDirectory);
        return new OnnxModel(proto, path, externalData);
    }
}
