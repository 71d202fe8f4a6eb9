using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Reads tensors stored in external files next to a model. A model is untrusted input: every location must be a
/// relative name the OS accepts, the file it names must be a regular file that stays inside the model's folder once
/// symbolic links are resolved (unless <see cref="ModelLoadOptions.AllowExternalDataOutsideModelFolder"/>), and
/// every range must lie inside that file. Whatever goes wrong is an <see cref="OnnxModelException"/> naming the tensor.
/// </summary>
internal sealed class ExternalDataReader(string? modelFile, string baseDirectory, ModelLoadOptions options)
{
    private readonly string _baseDirectory = Path.GetFullPath(baseDirectory);
    private string? _realBaseDirectory;

    /// <summary>Full paths of every external file read so far (saving must not overwrite them).</summary>
    public HashSet<string> FilesRead { get; } = new(StringComparer.Ordinal);

    public (ReadOnlyMemory<byte> Payload, ExternalPlacement Placement) Read(TensorProto proto, string label, long expectedBytes)
    {
        var (location, offset, length) = ExternalDataEntries.Parse(proto, modelFile, label);
        if (string.IsNullOrEmpty(location))
            throw new OnnxModelException(modelFile, "external data has no location", label);
        string shown = Printable.Quote(location);
        if (location.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0 || location.Contains('\0'))
            throw new OnnxModelException(modelFile, $"external data location {shown} holds a character no file name can have", label);
        string path = ResolveInside(location, shown, label);
        try
        {
            using var handle = RegularFile.OpenRead(path);
            CheckStaysInside(path, shown, label);
            long fileLength = RandomAccess.GetLength(handle);
            long start = offset ?? 0;
            long size = length ?? (fileLength - start);
            if (start > fileLength || size > fileLength - start)
                throw new OnnxModelException(modelFile,
                    $"external data range {start}+{size} points past the end of {shown} ({fileLength} bytes)", label);
            if (size != expectedBytes)
                throw new OnnxModelException(modelFile,
                    $"external data length {size} does not match its dims and type ({expectedBytes} bytes)", label);
            if (size > Array.MaxLength)
                throw new UnsupportedModelException(modelFile, $"a single tensor of {size} bytes is larger than one .NET array", label);
            var buffer = GC.AllocateUninitializedArray<byte>((int)size);
            for (int read = 0; read < buffer.Length;)
            {
                int n = RandomAccess.Read(handle, buffer.AsSpan(read), start + read);
                if (n == 0)
                    throw new OnnxModelException(modelFile, $"external data file {shown} ended while being read", label);
                read += n;
            }
            FilesRead.Add(path);
            return (buffer, new ExternalPlacement(location, start, size));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new OnnxModelException(modelFile, $"external data file {shown} not found", label);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new OnnxModelException(modelFile, $"external data file {shown} cannot be read ({Printable.Reason(ex)})", label);
        }
    }

    private string ResolveInside(string location, string shown, string label)
    {
        if (Path.IsPathRooted(location) || location.Contains(':'))
            throw new OnnxModelException(modelFile, $"external data location {shown} is an absolute path", label);
        string full;
        try
        {
            full = Path.GetFullPath(Path.Combine(_baseDirectory, location));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new OnnxModelException(modelFile, $"external data location {shown} is not a usable file name ({Printable.Reason(ex)})", label);
        }
        if (!options.AllowExternalDataOutsideModelFolder && !IsUnder(full, _baseDirectory))
            throw new ExternalDataOutsideFolderException(modelFile, $"external data location {shown} escapes the model's folder", label);
        return full;
    }

    /// <summary>The lexical check cannot see symbolic links: the file the OS opened must be inside the real folder too.</summary>
    private void CheckStaysInside(string path, string shown, string label)
    {
        if (options.AllowExternalDataOutsideModelFolder)
            return;
        _realBaseDirectory ??= RegularFile.RealPath(_baseDirectory);
        if (!IsUnder(RegularFile.RealPath(path), _realBaseDirectory))
            throw new ExternalDataOutsideFolderException(modelFile,
                $"external data file {shown} resolves (through a symbolic link) to outside the model's folder", label);
    }

    private static bool IsUnder(string full, string folder)
    {
        string root = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return full.StartsWith(root, StringComparison.Ordinal);
    }
}
