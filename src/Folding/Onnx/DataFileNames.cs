using System.Globalization;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// The names of a saved model's external data files. The writer chooses them, from the output model's name; a name
/// read from the input is never reused, because it was chosen by whoever made the input (a crafted "../../.bashrc"
/// would be written relative to the output folder). Slot 0 is "&lt;model&gt;.data" (or
/// <see cref="ModelSaveOptions.ExternalFileName"/>), slot k "&lt;model&gt;.k.data". Each save writes to slots that do not
/// exist yet, so the model being replaced keeps its own data files until the new model has replaced it; the slots it
/// used are then superseded and removed.
/// </summary>
internal sealed class DataFileNames
{
    private readonly string _directory;
    private readonly string _stem;
    private readonly string _extension;
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    private DataFileNames(string directory, string baseName, string target)
    {
        _directory = directory;
        BaseName = baseName;
        _stem = Path.GetFileNameWithoutExtension(baseName);
        _extension = Path.GetExtension(baseName);
        _taken.Add(Path.GetFileName(target));
    }

    /// <summary>Slot 0: the name every other slot is derived from.</summary>
    public string BaseName { get; }

    /// <summary>Names for a save to <paramref name="target"/>; an <see cref="ArgumentException"/> for an unusable ExternalFileName.</summary>
    public static DataFileNames For(string target, ModelSaveOptions options)
    {
        string modelName = Path.GetFileName(target);
        string baseName = options.ExternalFileName ?? modelName + ".data";
        if (baseName.Length == 0 || baseName is "." or ".." || baseName.IndexOfAny([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]) >= 0
            || baseName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"external data file name '{baseName}' must be a plain file name in the model's folder", nameof(options));
        if (string.Equals(baseName, modelName, StringComparison.Ordinal))
            throw new ArgumentException($"external data file name '{baseName}' is the model's own file name", nameof(options));
        return new DataFileNames(Path.GetDirectoryName(target)!, baseName, target);
    }

    /// <summary>
    /// The first slot that names nothing on disk, is none of <paramref name="avoid"/> (full paths) and was not handed
    /// out before in this save.
    /// </summary>
    public string NextFree(IReadOnlySet<string> avoid)
    {
        for (int k = 0; ; k++)
        {
            string name = Slot(k);
            string full = Path.Combine(_directory, name);
            if (_taken.Contains(name) || avoid.Contains(full) || Path.Exists(full))
                continue;
            _taken.Add(name);
            return name;
        }
    }

    /// <summary>Files in the folder under this model's slot names, except <paramref name="keep"/> (full paths).</summary>
    public IReadOnlyList<string> Existing(IReadOnlySet<string> keep)
    {
        try
        {
            return Directory.EnumerateFiles(_directory, _stem + "*")
                .Where(path => IsSlot(Path.GetFileName(path)) && !keep.Contains(path))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private string Slot(int k) => k == 0 ? BaseName : $"{_stem}.{k.ToString(CultureInfo.InvariantCulture)}{_extension}";

    private bool IsSlot(string name)
    {
        if (name == BaseName)
            return true;
        if (name.Length <= _stem.Length + 1 + _extension.Length || !name.StartsWith(_stem + ".", StringComparison.Ordinal)
            || !name.EndsWith(_extension, StringComparison.Ordinal))
            return false;
        var number = name.AsSpan(_stem.Length + 1, name.Length - _stem.Length - 1 - _extension.Length);
        return number.Length <= 9 && !number.ContainsAnyExcept("0123456789") && number[0] != '0';
    }
}
