namespace OnnxBn.Folding;

/// <summary>
/// A model file or in-memory model that cannot be read, written or trusted. The message is one line that
/// names the file (and the node or tensor when one is at fault) and the defect.
/// </summary>
public class OnnxModelException : Exception
{
    public OnnxModelException(string? filePath, string defect, string? element = null, Exception? inner = null)
        : base(Compose(filePath, defect, element), inner)
    {
        FilePath = filePath;
        Defect = defect;
        Element = element;
    }

    /// <summary>The model file at fault, or null for a model that only exists in memory.</summary>
    public string? FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Defect { get; }

    /// <summary>The node or tensor at fault, when the defect is local to one.</summary>
    public string? Element { get; }

    private static string Compose(string? filePath, string defect, string? element)
    {
        var where = filePath ?? "<in-memory model>";
        return OneLine(element is null ? $"{where}: {defect}" : $"{where}: {element}: {defect}");
    }

    /// <summary>Names come from the model: a newline (or other control character) in one must not split the message.</summary>
    private static string OneLine(string message)
    {
        if (!message.Any(char.IsControl))
            return message;
        var builder = new System.Text.StringBuilder(message.Length + 16);
        foreach (char c in message)
            builder.Append(char.IsControl(c) ? $"\\x{(int)c:X2}" : c);
        return builder.ToString();
    }
}

/// <summary>A well-formed model that uses something OnnxBn does not support (an operator form, an element type).</summary>
public sealed class UnsupportedModelException : OnnxModelException
{
    public UnsupportedModelException(string? filePath, string defect, string? element = null)
        : base(filePath, defect, element)
    {
    }
}
