namespace OnnxBn.Serving.Codecs;

/// <summary>Client-supplied text as it may appear in an error message: quoted, on one line, and short.</summary>
internal static class Quote
{
    private const int MaxLength = 64;

    /// <summary><c>'name'</c>, control characters replaced and long names cut.</summary>
    public static string Name(string name)
    {
        var clean = new string(name.Select(c => char.IsControl(c) ? '?' : c).Take(MaxLength).ToArray());
        return "'" + clean + (name.Length > MaxLength ? "…'" : "'");
    }
}
