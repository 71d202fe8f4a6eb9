using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Reads tensors stored in external files next to a model. Every location must stay inside the model's folder and
/// every range inside its file: a model is untrusted input.
/// </summary>
internal sealed class ExternalDataReader(string? modelFile, string baseDirectory)
{
    private readonly string _baseDirectory = Path.GetFullPath(baseDirectory);

    /// <summary>Full paths of every external file read so far (saving must not overwrite them).</summary>
    public HashSet<string> FilesRead { get; } = new(StringComparer.Ordinal);

    public (ReadOnlyMemory<byte> Payload, ExternalPlacement Placement) Read(TensorProto proto, string label, long expectedBytes)
    {
        var (location, offset, length) = ExternalDataEntries.Parse(proto, modelFile, label);
        if (string.IsNullOrEmpty(location))
            throw new OnnxModelException(modelFile, "external data has no location", label);
        string path = ResolveInside(location, label);
        if (!File.Exists(path))
            throw new OnnxModelException(modelFile, $"external data file '{location}' not found", label);

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        long fileLength = stream.Length;
        long start = offset ?? 0;
        long size = length ?? (fileLength - start);
        if (start > fileLength || size > fileLength - start)
            throw new OnnxModelException(modelFile,
                $"external data range {start}+{size} points past the end of '{location}' ({fileLength} bytes)", label);
        if (size != expectedBytes)
            throw new OnnxModelException(modelFile,
                $"external data length {size} does not match its dims and type ({expectedBytes} bytes)", label);

        if (size > Array.MaxLength)
            throw new UnsupportedModelException(modelFile, $"a single tensor of {size} bytes is larger than one .NET array", label);
        var buffer = GC.AllocateUninitializedArray<byte>((int)size);
        stream.Position = start;
        stream.ReadExactly(buffer);
        FilesRead.Add(path);
        return (buffer, new ExternalPlacement(location, start, size));
    }

    private string ResolveInside(string location, string label)
    {
        if (Path.IsPathRooted(location) || location.Contains(':'))
            throw new OnnxModelException(modelFile, $"external data location '{location}' is an absolute path", label);
        string full = Path.GetFullPath(Path.Combine(_baseDirectory, location));
        string root = _baseDirectory.EndsWith(Path.DirectorySeparatorChar) ? _baseDirectory : _baseDirectory + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal))
            throw new OnnxModelException(modelFile, $"external data location '{location}' escapes the model's folder", label);
        return full;
    }
}
