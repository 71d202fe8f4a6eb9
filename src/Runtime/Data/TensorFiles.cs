using OnnxBn.Folding;

namespace OnnxBn.Runtime.Data;

/// <summary>
/// Reads and writes single tensors as files, choosing the format by extension: <c>.npy</c> (numpy, see
/// <see cref="NpyFormat"/>) or <c>.pb</c> (a serialized ONNX TensorProto, as in ONNX test data sets).
/// </summary>
public static class TensorFiles
{
    /// <summary>True when the path ends in .npy or .pb.</summary>
    public static bool HasTensorExtension(string path) => Format(path) is not null;

    /// <summary>Reads a tensor. A .npy tensor is named after the file; a .pb keeps its stored name unless empty.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NpyFormatException">A malformed .npy file.</exception>
    /// <exception cref="OnnxModelException">A malformed .pb file.</exception>
    /// <exception cref="ArgumentException">The extension is neither .npy nor .pb.</exception>
    public static TensorData Read(string path)
    {
        switch (Format(path))
        {
            case ".npy":
                return NpyFormat.Read(path);
            case ".pb":
                if (!File.Exists(path))
                    throw new FileNotFoundException($"Tensor file not found: {path}", path);
                var tensor = TensorData.LoadTensorProto(path);
                return tensor.Name.Length > 0 ? tensor : tensor.WithName(Path.GetFileNameWithoutExtension(path));
            default:
                throw new ArgumentException($"{path}: tensor files must end in .npy or .pb.", nameof(path));
        }
    }

    /// <summary>Writes a tensor as .npy or .pb (chosen by extension), replacing the file atomically.</summary>
    /// <exception cref="ArgumentException">The extension is neither .npy nor .pb.</exception>
    public static void Write(string path, TensorData tensor)
    {
        var bytes = Format(path) switch
        {
            ".npy" => NpyFormat.ToBytes(tensor),
            ".pb" => tensor.ToTensorProtoBytes(),
            _ => throw new ArgumentException($"{path}: tensor files must end in .npy or .pb.", nameof(path)),
        };
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>A file name made from a tensor name: characters that are unsafe in paths become '_'.</summary>
    public static string SafeFileName(string tensorName)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var chars = tensorName.Select(c => invalid.Contains(c) || c == ':' || char.IsWhiteSpace(c) ? '_' : c).ToArray();
        var name = new string(chars);
        return name.Length == 0 || name is "." or ".." ? "output" : name;
    }

    private static string? Format(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".npy" => ".npy",
        ".pb" => ".pb",
        _ => null,
    };
}
