namespace OnnxBn.Folding;

/// <summary>
/// A model file or in-memory model that cannot be read, written or trusted. The message is one line that
/// names the file (and the node or tensor when one is at fault) and the defect.
/// </summary>
public class OnnxModelException : Exception
{
    /// <summary>
    /// A defect with the one-line message "&lt;file&gt;: [&lt;element&gt;: ]&lt;defect&gt;"; control characters from
    /// names in the model are escaped so that the message stays one line.
    /// </summary>
    /// <param name="filePath">The model file at fault, or null for an in-memory model.</param>
    /// <param name="defect">What is wrong, without the file name, e.g. "the graph has a cycle".</param>
    /// <param name="element">The node or tensor at fault ("node 'Conv_3'"), or null.</param>
    /// <param name="inner">The exception that revealed the defect (a parser's), if any.</param>
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
    /// <summary>An unsupported feature, with the same one-line message as <see cref="OnnxModelException"/>.</summary>
    /// <param name="filePath">The model file, or null for an in-memory model.</param>
    /// <param name="defect">What is unsupported, e.g. "segmented tensors are not supported".</param>
    /// <param name="element">The node or tensor that uses it, or null.</param>
    public UnsupportedModelException(string? filePath, string defect, string? element = null)
        : base(filePath, defect, element)
    {
    }
}
