namespace OnnxBn.Folding.Tests.Safety.Fuzz;

/// <summary>What a special file in a case's folder is: a FIFO, a folder, or a symbolic link to a target.</summary>
internal enum SpecialKind
{
    Fifo,
    Folder,
    Link,
}

/// <summary>
/// One fuzz case: the files of an input folder (the model is "m.onnx"), special entries (FIFOs, folders, links
/// whose targets are relative to the case's root, e.g. "outside/secret"), and how it was made, for the failure message.
/// </summary>
internal sealed class FuzzCase(int index, string recipe)
{
    public int Index { get; } = index;

    public string Recipe { get; set; } = recipe;

    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public List<(string Name, SpecialKind Kind, string? Target)> Specials { get; } = [];

    public byte[] Model
    {
        get => Files["m.onnx"];
        set => Files["m.onnx"] = value;
    }
}
